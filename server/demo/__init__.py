"""The demo's simulators, apart from the product."""
