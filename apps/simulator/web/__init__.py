"""The simulator's aiohttp services: traders, UCB, fake Hyperliquid, and their runner."""
