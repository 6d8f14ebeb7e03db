"""Pieces of the end-to-end benchmark: workload, Kafka load/collect, processes, stats, report."""
