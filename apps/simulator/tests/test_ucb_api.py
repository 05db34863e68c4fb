"""The simulated UCB service answers the contract's UCB shapes with slowly changing values."""

from decimal import Decimal

from apps.simulator.engine.ucb import GPU_MEMORY_TOTAL_MB
from apps.simulator.tests.shapes import assert_decimal_string, assert_iso_z


def test_status_reports_the_gpu(simulator, http):
    body = http.get(simulator.ucb_url + "/api/status").json()

    assert set(body) == {"service", "gpu", "active_trainings", "timestamp"}
    assert body["service"] == "ucb"
    assert set(body["gpu"]) == {"name", "utilization_pct", "memory_used_mb", "memory_total_mb"}
    assert isinstance(body["gpu"]["name"], str)
    assert 0 <= body["gpu"]["utilization_pct"] <= 100
    assert 0 < body["gpu"]["memory_used_mb"] < body["gpu"]["memory_total_mb"] == GPU_MEMORY_TOTAL_MB
    assert isinstance(body["active_trainings"], int)
    assert_iso_z(body["timestamp"])


def test_strategies_cover_every_trader_strategy(simulator, http):
    body = http.get(simulator.ucb_url + "/api/strategies").json()

    keys = [(s["strategy_id"], s["symbol"]) for s in body["strategies"]]
    traders = [spec.key for trader in simulator.simulation.traders.values() for spec in trader.strategies()]
    assert keys == traders
    assert all(set(s) == {"strategy_id", "symbol", "status"} for s in body["strategies"])
    assert {s["status"] for s in body["strategies"]} <= {"loaded", "training", "idle"}


def test_trainings_progress_as_the_simulation_steps(simulator, http):
    before = http.get(simulator.ucb_url + "/api/training/sync").json()["trainings"]

    simulator.step(8)
    after = http.get(simulator.ucb_url + "/api/training/sync").json()["trainings"]

    for item in after:
        assert set(item) == {"strategy_id", "symbol", "episode", "progress_pct", "best_reward", "started_at"}
        assert isinstance(item["episode"], int) and 0 <= item["progress_pct"] <= 100
        assert_decimal_string(item["best_reward"])
        assert_iso_z(item["started_at"])
    assert [t["episode"] for t in before] == [0, 0]
    assert [t["episode"] for t in after] == [240, 240]  # 8 steps of 900 s at 30 s per episode


def test_stats_and_models(simulator, http):
    stats_before = http.get(simulator.ucb_url + "/api/stats").json()
    simulator.step(4)
    stats_after = http.get(simulator.ucb_url + "/api/stats").json()
    models = http.get(simulator.ucb_url + "/api/models").json()["models"]

    assert set(stats_after) == {"models", "episodes_total", "gpu_hours"}
    assert stats_after["models"] == len(models)
    assert stats_after["episodes_total"] == stats_before["episodes_total"] + 2 * 120
    assert assert_decimal_string(stats_after["gpu_hours"]) == Decimal(stats_before["gpu_hours"]) + 1
    for model in models:
        assert set(model) == {"strategy_id", "symbol", "score", "created_at"}
        assert_decimal_string(model["score"])
        assert_iso_z(model["created_at"])
