"""Deciding NAP properties of ReLU networks: the network as weights, interval bounds, LP relaxation,
adversarial attack, the Z3 encoding, and branch-and-bound that decides."""
