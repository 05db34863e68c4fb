"""Names and addresses other apps' tests may rely on (no Django imports)."""

# The fake Hyperliquid account that mirrors the simulated Hyperliquid trader.
FAKE_HL_MASTER_ADDRESS = "0x000000000000000000000000000000000000dEaD"

HYPERLIQUID_TRADER = "hyperliquid"
LIGHTER_TRADER = "lighter"

# Keys of settings.SIMULATOR_PORTS, one per server the simulator runs.
SERVER_HYPERLIQUID_TRADER = "hyperliquid_trader"
SERVER_LIGHTER_TRADER = "lighter_trader"
SERVER_UCB = "ucb"
SERVER_FAKE_HYPERLIQUID = "fake_hyperliquid"
SERVER_NAMES = (SERVER_HYPERLIQUID_TRADER, SERVER_LIGHTER_TRADER, SERVER_UCB, SERVER_FAKE_HYPERLIQUID)
