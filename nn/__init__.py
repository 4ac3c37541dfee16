"""nn: Neuron, Layer, MLP, losses, optimizers, data and training, built from micrograd Values."""
