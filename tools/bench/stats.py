"""Latency samples summarized in Python the way bench_stats.hpp's latency_summary does in the
C++ programs (nearest-rank percentiles), for samples the run picks out itself."""


def percentile_of_sorted(values, p):
    if not values:
        return 0
    return values[min(int(p / 100 * (len(values) - 1) + 0.5), len(values) - 1)]


def latency_of(micros):
    """{"count", "p50_us", "p90_us", "p99_us", "max_us", "mean_us"} of samples in µs."""
    values = sorted(micros)
    return {"count": len(values), "p50_us": percentile_of_sorted(values, 50), "p90_us": percentile_of_sorted(values, 90),
            "p99_us": percentile_of_sorted(values, 99), "max_us": values[-1] if values else 0,
            "mean_us": sum(values) / len(values) if values else 0}


def spread(seconds):
    """{"median_s", "max_s", "runs"} of repeated timings in seconds."""
    values = sorted(seconds)
    middle = len(values) // 2
    median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return {"median_s": median, "max_s": values[-1], "runs": len(values)}
