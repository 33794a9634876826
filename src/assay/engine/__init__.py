"""The engine layer: the only place that knows which backend runs the queries.

Stage logic receives an :class:`Engine` and builds Ibis expressions; where backends differ
(safe casts, digests, bulk loading), the engine offers one method whose implementation is
chosen by the backend's :class:`Capabilities`, never by `if engine == ...` in the stages.
"""

from assay.engine.capabilities import Capabilities
from assay.engine.connect import connect
from assay.engine.engine import Engine

__all__ = ["Capabilities", "Engine", "connect"]
