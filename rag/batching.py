"""Questions asked at the same time share one model call.

Request threads call :class:`QueryBatcher` with one text each. One of them at a time
(the leader) takes every waiting text, up to ``max_batch``, and embeds them together;
the others sleep until their vector is ready or it is their turn to lead. Questions
asked one after another (the CLI, the evaluation) are embedded at once. While questions
overlap (the previous call, less than ``BUSY_S`` ago, was shared), a leader with room
left waits up to ``wait_s`` after the first text arrived for more to join.

Example::

    >>> batcher = QueryBatcher(model.embed, max_batch=16, wait_s=0.002)
    >>> batcher("苏州2016年职工书屋多少家").shape      # from any number of threads
    (512,)
    >>> batcher.sizes[-1]                            # how many shared that call
    1
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np

BUSY_S = 0.05  # a shared call this recently means others are probably on their way


class _Item:
    __slots__ = ("text", "arrived", "vector", "error")

    def __init__(self, text: str):
        self.text = text
        self.arrived = time.perf_counter()
        self.vector: np.ndarray | None = None
        self.error: BaseException | None = None


class QueryBatcher:
    def __init__(
        self,
        embed: Callable[[list[str]], np.ndarray],
        max_batch: int = 16,
        wait_s: float = 0.002,
    ):
        self.embed = embed
        self.max_batch = max(1, max_batch)
        self.wait_s = max(0.0, wait_s)
        self.sizes: deque[int] = deque(maxlen=4096)  # batch sizes, for the benchmark
        self._queue: deque[_Item] = deque()
        self._cond = threading.Condition()
        self._leading = False
        self._last_done = 0.0
        self._last_size = 0

    def __call__(self, text: str) -> np.ndarray:
        item = _Item(text)
        with self._cond:
            self._queue.append(item)
            self._cond.notify_all()  # a leader gathering company counts the queue
        while True:
            with self._cond:
                while item.vector is None and item.error is None and self._leading:
                    self._cond.wait()
                if item.vector is not None:
                    return item.vector
                if item.error is not None:
                    raise item.error
                self._leading = True
            try:
                self._lead()  # our own text is in this batch unless the queue was longer
            finally:
                with self._cond:
                    self._leading = False
                    self._cond.notify_all()

    def _lead(self) -> None:
        with self._cond:
            busy = self._last_size > 1 and time.perf_counter() - self._last_done < BUSY_S
            if busy and self.wait_s and self._queue:
                deadline = self._queue[0].arrived + self.wait_s
                while len(self._queue) < self.max_batch:
                    left = deadline - time.perf_counter()
                    if left <= 0:
                        break
                    self._cond.wait(left)
            batch = [self._queue.popleft() for _ in range(min(self.max_batch, len(self._queue)))]
        try:
            vectors = self.embed([i.text for i in batch]) if batch else []
            for i, vector in zip(batch, vectors, strict=True):
                i.vector = vector
        except BaseException as exc:  # every waiter hears of it, not only the leader
            for i in batch:
                i.error = exc
        with self._cond:
            self._last_done = time.perf_counter()
            self._last_size = len(batch)
            self.sizes.append(len(batch))
