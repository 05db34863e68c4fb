"""The simulated UCB (RL training) service on the contract's UCB endpoints."""

from __future__ import annotations

from decimal import Decimal

from aiohttp import web

from apps.simulator.engine.simulation import Simulation
from apps.simulator.engine.ucb import GPU_MEMORY_TOTAL_MB, GPU_NAME
from apps.simulator.web.common import ServiceFaults, faults_middleware, json_errors_middleware, json_response

SIMULATION = web.AppKey("simulation", Simulation)
GPU_HOURS_QUANTUM = Decimal("0.1")


def build_ucb_app(simulation: Simulation, faults: ServiceFaults) -> web.Application:
    """The aiohttp app of the UCB service (port 9001)."""
    app = web.Application(
        middlewares=[json_errors_middleware, faults_middleware(faults, exempt=frozenset({"/api/status"}))]
    )
    app[SIMULATION] = simulation
    app.router.add_get("/api/status", status)
    app.router.add_get("/api/strategies", strategies)
    app.router.add_get("/api/training/sync", training_sync)
    app.router.add_get("/api/stats", stats)
    app.router.add_get("/api/models", models)
    return app


async def status(request: web.Request) -> web.Response:
    """GET /api/status: the GPU and how many trainings run."""
    simulation = request.app[SIMULATION]
    ucb = simulation.ucb
    gpu = {
        "name": GPU_NAME,
        "utilization_pct": ucb.utilization_pct,
        "memory_used_mb": ucb.memory_used_mb,
        "memory_total_mb": GPU_MEMORY_TOTAL_MB,
    }
    return json_response(
        {"service": "ucb", "gpu": gpu, "active_trainings": len(ucb.trainings), "timestamp": simulation.now}
    )


async def strategies(request: web.Request) -> web.Response:
    """GET /api/strategies: every strategy the traders run and its model status."""
    ucb = request.app[SIMULATION].ucb
    training = {(t.strategy_id, t.symbol) for t in ucb.trainings}
    loaded = ucb.loaded()
    items = []
    for strategy_id, symbol in ucb.strategies:
        key = (strategy_id, symbol)
        state = "training" if key in training else "loaded" if key in loaded else "idle"
        items.append({"strategy_id": strategy_id, "symbol": symbol, "status": state})
    return json_response({"strategies": items})


async def training_sync(request: web.Request) -> web.Response:
    """GET /api/training/sync: the running trainings."""
    items = [
        {
            "strategy_id": t.strategy_id,
            "symbol": t.symbol,
            "episode": t.episode,
            "progress_pct": t.progress_pct,
            "best_reward": t.best_reward,
            "started_at": t.started_at,
        }
        for t in request.app[SIMULATION].ucb.trainings
    ]
    return json_response({"trainings": items})


async def stats(request: web.Request) -> web.Response:
    """GET /api/stats: totals over the service's life."""
    ucb = request.app[SIMULATION].ucb
    return json_response(
        {
            "models": len(ucb.models),
            "episodes_total": ucb.episodes_total,
            "gpu_hours": ucb.gpu_hours.quantize(GPU_HOURS_QUANTUM),
        }
    )


async def models(request: web.Request) -> web.Response:
    """GET /api/models: trained models, newest first."""
    items = [
        {"strategy_id": m.strategy_id, "symbol": m.symbol, "score": m.score, "created_at": m.created_at}
        for m in reversed(request.app[SIMULATION].ucb.models)
    ]
    return json_response({"models": items})
