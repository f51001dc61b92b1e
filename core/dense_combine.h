/*
 * Small blocks as dense combinations of the known symbols.
 *
 * A plan is linear in its inputs, so every intermediate symbol is a fixed
 * GF(256) combination of the known symbols, and so is every encoding symbol
 * made from them. Replaying the plan once over identity rows w bytes wide
 * (input i = the unit vector e_i) gives those coefficients for the price of
 * one replay over w-byte rows. When few symbols are wanted from few inputs,
 * computing them straight from the inputs (one fused multiply-add run per
 * output, GFNI makes a multiply-add as cheap as a XOR) moves far fewer bytes
 * than the replay plus a copy of the inputs into working rows:
 *   - a decoder with K = 10 and 2 source symbols lost needs 2 x 10 of them,
 *     against ~350 plan operations;
 *   - an encoder with K' = 10 needs L x K = 27 x 10, against ~350 plus a
 *     copy of the source.
 * The cost model below picks, per block, whichever moves fewer bytes; the
 * results are the same bytes either way (tests/test_plans.cpp checks both).
 */
#ifndef RQ_CORE_DENSE_COMBINE_H
#define RQ_CORE_DENSE_COMBINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/plan.h"

/*
 * Coefficients of the intermediate symbols over the plan's first w inputs
 * (inputs w.. are known zeros, such as padding symbols). *out gets a buffer
 * of plan->rows + plan->scratch_rows rows, *stride bytes apart, in which the
 * first w bytes of row plan->intermediate[j] are C[j]'s coefficients; free()
 * it. The stride is w rounded up to whole 64-byte vectors, which the kernels
 * run several times faster than a tail of single bytes.
 */
rq_status rq_plan_coefficients(const rq_context *ctx, const rq_plan *plan, const rq_kernels *k,
                               uint32_t w, uint8_t **out, size_t *stride);

/*
 * out row r (len bytes at out + r * out_stride) = sum over i < w of
 * coefs[r * coef_stride + i] * input i (len bytes at inputs + i * in_stride),
 * for r < n_out: the backend's gf_matmul.
 */
rq_status rq_dense_combine(const rq_kernels *k, const uint8_t *coefs, size_t coef_stride,
                           uint32_t n_out, uint32_t w, const uint8_t *inputs, size_t in_stride,
                           uint8_t *out, size_t out_stride, size_t len);

/*
 * The L x n_inputs coefficients of the intermediate symbols of an encoding
 * plan, row j for C[j], when K' is small enough for the dense way to pay
 * (else *out = NULL); the plan cache keeps them with the plan.
 */
rq_status rq_plan_dense_rows(rq_context *ctx, const rq_plan *plan, uint8_t **out);

/* Estimated bytes moved by rq_dense_combine for n_out outputs from w inputs. */
uint64_t rq_dense_combine_cost(uint32_t n_out, uint32_t w, size_t len);

/*
 * Whether the dense way goes: as the context's RQ_PARAM_DENSE says, and by
 * the cost model when it leaves the choice here, if it moves fewer bytes: dense_cost (rq_dense_combine_cost)
 * plus, when coef_width > 0, rq_plan_coefficients over that many inputs,
 * against replaying plan over len-byte rows plus replay_extra (copies and
 * rebuilds the plan's way needs besides).
 */
int rq_dense_pays(const rq_context *ctx, const rq_plan *plan, size_t len, uint64_t replay_extra,
                  uint64_t dense_cost, uint32_t coef_width);

#endif
