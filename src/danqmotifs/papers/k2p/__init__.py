"""The k2p paper (Ding et al.): the fidelity test and the simulation study."""
