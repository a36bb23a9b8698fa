"""The one-sided binomial test behind "significantly above the station's usual share".

Written out here (log-space sum of the exact upper tail) rather than taken from scipy: it is
a dozen lines and the notifier needs nothing else from a statistics library.
"""

from __future__ import annotations

import math


def _log_pmf(n: int, k: int, log_p: float, log_q: float) -> float:
    log_comb = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    return log_comb + k * log_p + (n - k) * log_q


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p): the chance of seeing ``k`` or more such answers out
    of ``n`` if the station were as usual (share ``p``). Exact; summed in log space so large
    ``n`` neither overflows nor underflows to a wrong 0."""
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability, got {p}")
    if k == 0:
        return 1.0
    if p == 0.0:
        return 0.0
    if p == 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [_log_pmf(n, i, log_p, log_q) for i in range(k, n + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * math.fsum(math.exp(t - top) for t in terms))
