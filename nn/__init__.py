"""nn: Neuron, Layer, MLP, losses, optimizers, data and training, built from micrograd Values.

    from nn import MLP, SGD, fit, hinge, data
    X, y = data.moons(100, noise=0.1)
    model = MLP(2, [16, 16, 1], seed=1337)
    history = fit(model, X, [2 * t - 1 for t in y], loss=hinge, epochs=100, l2=1e-4,
                  optimizer=SGD(model.parameters(), lr=linear_schedule(1.0, 0.1, 100)))

`python -m nn train` runs exactly that and writes the model, the plots and the training page
(`fit(..., html="out/training.html")`, or a `TrainingRecorder`) to out/. karpathy's own API
(`Layer` returning a bare Value for one neuron, his reprs) is `micrograd.nn`, built on these.
Nothing here imports matplotlib, tqdm or numpy until it is used.
"""
from . import data
from .layers import ACTIVATIONS, INITS, MLP, Layer, Neuron
from .live import TrainingRecorder
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                     hinge, mse, mse_mean, softmax)
from .module import FORMAT_VERSION, Module, ModelFileError
from .optim import SGD, Adam, Optimizer, constant, exponential_schedule, linear_schedule
from .train import (History, ReplayStep, StepResult, TrainingDiverged, batch_loss, evaluate, fit,
                    predict, train_step)

__all__ = [
    "Module", "ModelFileError", "FORMAT_VERSION", "Neuron", "Layer", "MLP", "ACTIVATIONS", "INITS",
    "mse", "mse_mean", "softmax", "cross_entropy", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "hinge",
    "Optimizer", "SGD", "Adam", "constant", "linear_schedule", "exponential_schedule",
    "fit", "evaluate", "predict", "train_step", "batch_loss", "ReplayStep", "History",
    "StepResult", "TrainingDiverged", "TrainingRecorder", "data",
]
