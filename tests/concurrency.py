"""Run functions at the same moment in threads, each on its own database connection (PostgreSQL tests)."""

import threading

from django.db import close_old_connections, connection


def run_together(*functions):
    """Start the functions in threads at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def runner(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # noqa: BLE001 - the test inspects what was raised
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results
