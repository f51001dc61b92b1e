# The core and portable backend sources, shared by the native build and the
# WebAssembly one (bindings/wasm).
# Core and backends link without runtime (tests/test_layering.c checks it):
# core takes its kernels, caches and parameters from the context it is given.
set(RQ_CORE_SOURCES
  core/status.c
  core/gf256.c
  core/rfc6330_tables.c
  core/params.c
  core/oti.c
  core/tuple.c
  core/constraint_rows.c
  core/source_rows.c
  core/components.c
  core/solver.c
  core/plan.c
  core/plan_cache.c
  core/dense_combine.c
  core/block_encoder.c
  core/block_decoder.c
  core/object_encoder.c
  core/object_decoder.c
  core/sub_blocks.c
  core/row_pool.c
  core/context.c
  core/ec_matrix.c
  core/ec_cache.c
  core/ec_schemes.c
  core/ec_mds_table.c
  core/ec_coder.c
  core/ec_check.c
  backends/scalar/scalar_kernels.c
  backends/nibble_tables.c
)
