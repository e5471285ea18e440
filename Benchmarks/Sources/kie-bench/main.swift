// kie-bench: benchmark driver (see Benchmarks/README.md). Filled in by the P1..P3 measures.
print("kie-bench")
