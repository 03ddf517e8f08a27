// Q4_K, Q5_K and Q6_K over a vector type, writing the bytes of the scalar reference
// (ggml_kquants.cc). The scale searches (make_qkx2_quants, make_qx_quants) are chains of
// float32 sums over the elements of one sub-block, in order; reordering any of them changes
// bytes. So the vector runs along sub-blocks, not along elements: lane k holds sub-block k
// (8 of 32 a super-block for Q4_K / Q5_K, 16 of 16 for Q6_K) and does the reference's
// operations for its sub-block, one intrinsic per float32 operation, in the reference's
// order. What the reference decides by a branch per sub-block (a trial that wins, a flat or
// all-but-zero sub-block) is a per-lane select; the trials a lane would skip are computed
// and then not taken. The final codes, one quotient per element once the scales are
// stored, are independent per element and run along the elements.
//
// The scalar steps per super-block (the 6-bit or int8 scale quantization, the packing of the
// codes) are the reference's own functions (kquant:: in ggml_kquants.h), built with the
// baseline flags. Float arithmetic here is intrinsics only, except d·sc and dmin·m, which
// are exact (an fp16 value times an integer of at most 8 bits) and so the same fused or not.
//
// The Vec of ggml_simd.h, plus:
//   M                                             a lane mask (a vector, or __mmask16)
//   M Lt(F, F), Gt(F, F), Eq(F, F)                ordered compares (false on NaN)
//   M NeqU(F, F)                                  a != b, true on NaN (C's `x ? … : …`)
//   M AndM(M, M), bool Any(M)
//   F Select(M, F a, F b), I SelectI(M, I a, I b) a where the mask is set, else b
//   F Div(F, F), F Sqrt(F), F Neg(F)              one rounding each; Neg flips the sign bit
//   I AsInt(F)                                    the bits
//   I AndI(I, int32_t), I AddI(I, int32_t), I MinI(I, int32_t), I MaxI(I, int32_t)
//   void StoreI(int32_t*, I)
#pragma once

#include "kernels/ggml/ggml_impl.h"

namespace quantkit {
namespace ggml {
namespace {
namespace simd {

template <class Vec>
struct KQuantOps {
  static constexpr size_t W = Vec::kWidth;
  using F = typename Vec::F;
  using I = typename Vec::I;
  using M = typename Vec::M;

  // nearest_int (ggml_kquants.cc's NearestInt), per lane: the same add and the same bits.
  static I NearestInt(F v) {
    const I bits = Vec::AsInt(Vec::Add(v, Vec::Splat(12582912.0f)));
    return Vec::SubI(Vec::AndI(bits, 0x007fffff), 0x00400000);
  }
  static I Clamp(I v, int32_t lo, int32_t hi) { return Vec::MinI(Vec::MaxI(v, lo), hi); }

  // QuantizeScalesMinsK's weights and make_qkx2_quants for W sub-blocks of 32, one a lane:
  // xt[i · W + k] is element i of lane k's sub-block. Writes lane k's scale, −min and codes
  // (lt[i · W + k]). The reference's variables, one vector each, in its order.
  static void SearchQkx2(const float* xt, int nmax, float rmin, float rdelta, int nstep, float* scale_out,
                         float* neg_min_out, int32_t* lt) {
    constexpr int n = 32;
    const F zero = Vec::Splat(0.0f);
    F x[n], w[n];
    for (int i = 0; i < n; ++i) x[i] = Vec::Load(xt + i * W);
    F sum_x2 = zero;
    for (int l = 0; l < n; ++l) sum_x2 = Vec::Add(sum_x2, Vec::Mul(x[l], x[l]));
    const F av_x = Vec::Sqrt(Vec::Div(sum_x2, Vec::Splat(32.0f)));
    for (int l = 0; l < n; ++l) w[l] = Vec::Add(av_x, Vec::Abs(x[l]));

    // `if (x[i] < min) min = x[i]`: the first of equal values stays (+0 before −0 too).
    F min = x[0], max = x[0];
    F sum_w = w[0];
    F sum_x = Vec::Mul(sum_w, x[0]);
    for (int i = 1; i < n; ++i) {
      min = Vec::Select(Vec::Lt(x[i], min), x[i], min);
      max = Vec::Select(Vec::Gt(x[i], max), x[i], max);
      sum_w = Vec::Add(sum_w, w[i]);
      sum_x = Vec::Add(sum_x, Vec::Mul(w[i], x[i]));
    }
    min = Vec::Select(Vec::Gt(min, zero), zero, min);
    // A flat sub-block (max == min) returns here in the reference: codes 0, scale 0, −min.
    const M flat = Vec::Eq(max, min);
    const F flat_min = min;

    const F fnmax = Vec::Splat(static_cast<float>(nmax));
    F iscale = Vec::Div(fnmax, Vec::Sub(max, min));
    F scale = Vec::Div(Vec::Splat(1.0f), iscale);
    F best_error = zero;
    I L[n];
    for (int i = 0; i < n; ++i) {
      L[i] = Clamp(NearestInt(Vec::Mul(iscale, Vec::Sub(x[i], min))), 0, nmax);
      F diff = Vec::Sub(Vec::Add(Vec::Mul(scale, Vec::ToFloat(L[i])), min), x[i]);
      diff = Vec::Mul(diff, diff);
      best_error = Vec::Add(best_error, Vec::Mul(w[i], diff));
    }

    const F vrmin = Vec::Splat(rmin), vrdelta = Vec::Splat(rdelta);
    I laux[n];
    F fl[n];
    for (int is = 0; is <= nstep; ++is) {
      // (rmin + rdelta·is + nmax) / (max − min), with the min of the best trial so far.
      const F num = Vec::Add(Vec::Add(vrmin, Vec::Mul(vrdelta, Vec::Splat(static_cast<float>(is)))), fnmax);
      iscale = Vec::Div(num, Vec::Sub(max, min));
      F sum_l = zero, sum_l2 = zero, sum_xl = zero;
      for (int i = 0; i < n; ++i) {
        laux[i] = Clamp(NearestInt(Vec::Mul(iscale, Vec::Sub(x[i], min))), 0, nmax);
        fl[i] = Vec::ToFloat(laux[i]);
        const F wl = Vec::Mul(w[i], fl[i]);
        sum_l = Vec::Add(sum_l, wl);
        sum_l2 = Vec::Add(sum_l2, Vec::Mul(wl, fl[i]));
        sum_xl = Vec::Add(sum_xl, Vec::Mul(wl, x[i]));
      }
      const F D = Vec::Sub(Vec::Mul(sum_w, sum_l2), Vec::Mul(sum_l, sum_l));
      const M positive = Vec::Gt(D, zero);
      if (!Vec::Any(positive)) continue;
      F this_scale = Vec::Div(Vec::Sub(Vec::Mul(sum_w, sum_xl), Vec::Mul(sum_x, sum_l)), D);
      F this_min = Vec::Div(Vec::Sub(Vec::Mul(sum_l2, sum_x), Vec::Mul(sum_l, sum_xl)), D);
      const M above = Vec::Gt(this_min, zero);
      this_min = Vec::Select(above, zero, this_min);
      this_scale = Vec::Select(above, Vec::Div(sum_xl, sum_l2), this_scale);
      F cur_error = zero;
      for (int i = 0; i < n; ++i) {
        F diff = Vec::Sub(Vec::Add(Vec::Mul(this_scale, fl[i]), this_min), x[i]);
        diff = Vec::Mul(diff, diff);
        cur_error = Vec::Add(cur_error, Vec::Mul(w[i], diff));
      }
      // Strict <, as the reference: an equal error keeps the earlier trial.
      const M better = Vec::AndM(positive, Vec::Lt(cur_error, best_error));
      if (!Vec::Any(better)) continue;
      for (int i = 0; i < n; ++i) L[i] = Vec::SelectI(better, laux[i], L[i]);
      best_error = Vec::Select(better, cur_error, best_error);
      scale = Vec::Select(better, this_scale, scale);
      min = Vec::Select(better, this_min, min);
    }
    Vec::StoreF(scale_out, Vec::Select(flat, zero, scale));
    Vec::StoreF(neg_min_out, Vec::Neg(Vec::Select(flat, flat_min, min)));
    const I izero = Vec::SplatI(0);
    for (int i = 0; i < n; ++i) Vec::StoreI(lt + i * W, Vec::SelectI(flat, izero, L[i]));
  }

  // make_qx_quants (nmax 32, weights x²) for W sub-blocks of 16, one a lane, laid out as in
  // SearchQkx2. Writes lane k's scale and its codes + 32 (0 for a sub-block below
  // kGroupMaxEps).
  static void SearchQx(const float* xt, float* scale_out, int32_t* lt) {
    constexpr int n = 16, nmax = 32;
    const F zero = Vec::Splat(0.0f);
    F x[n];
    for (int i = 0; i < n; ++i) x[i] = Vec::Load(xt + i * W);
    // The first value of largest magnitude, with its sign (strict >).
    F amax = zero, max = zero;
    for (int i = 0; i < n; ++i) {
      const F ax = Vec::Abs(x[i]);
      const M gt = Vec::Gt(ax, amax);
      amax = Vec::Select(gt, ax, amax);
      max = Vec::Select(gt, x[i], max);
    }
    const M tiny = Vec::Lt(amax, Vec::Splat(kquant::kGroupMaxEps));

    F iscale = Vec::Div(Vec::Splat(static_cast<float>(-nmax)), max);
    F sumlx = zero, suml2 = zero;
    I L[n];
    for (int i = 0; i < n; ++i) {
      L[i] = Clamp(NearestInt(Vec::Mul(iscale, x[i])), -nmax, nmax - 1);
      const F w = Vec::Mul(x[i], x[i]);
      const F fl = Vec::ToFloat(L[i]);
      sumlx = Vec::Add(sumlx, Vec::Mul(Vec::Mul(w, x[i]), fl));
      suml2 = Vec::Add(suml2, Vec::Mul(Vec::Mul(w, fl), fl));
    }
    // C's `suml2 ? sumlx / suml2 : 0`: a NaN suml2 takes the division.
    F scale = Vec::Select(Vec::NeqU(suml2, zero), Vec::Div(sumlx, suml2), zero);
    F best = Vec::Mul(scale, sumlx);
    I laux[n];
    for (int is = -9; is <= 9; ++is) {
      if (is == 0) continue;
      // −(nmax + 0.1·is) / max: the negation is exact.
      const F num = Vec::Neg(Vec::Add(Vec::Splat(static_cast<float>(nmax)), Vec::Mul(Vec::Splat(0.1f), Vec::Splat(static_cast<float>(is)))));
      iscale = Vec::Div(num, max);
      sumlx = suml2 = zero;
      for (int i = 0; i < n; ++i) {
        laux[i] = Clamp(NearestInt(Vec::Mul(iscale, x[i])), -nmax, nmax - 1);
        const F w = Vec::Mul(x[i], x[i]);
        const F fl = Vec::ToFloat(laux[i]);
        sumlx = Vec::Add(sumlx, Vec::Mul(Vec::Mul(w, x[i]), fl));
        suml2 = Vec::Add(suml2, Vec::Mul(Vec::Mul(w, fl), fl));
      }
      const M taken = Vec::AndM(Vec::Gt(suml2, zero), Vec::Gt(Vec::Mul(sumlx, sumlx), Vec::Mul(best, suml2)));
      if (!Vec::Any(taken)) continue;
      for (int i = 0; i < n; ++i) L[i] = Vec::SelectI(taken, laux[i], L[i]);
      const F this_scale = Vec::Div(sumlx, suml2);
      scale = Vec::Select(taken, this_scale, scale);
      best = Vec::Select(taken, Vec::Mul(this_scale, sumlx), best);
    }
    Vec::StoreF(scale_out, Vec::Select(tiny, zero, scale));
    const I izero = Vec::SplatI(0);
    for (int i = 0; i < n; ++i) Vec::StoreI(lt + i * W, Vec::SelectI(tiny, izero, Vec::AddI(L[i], nmax)));
  }

  // Q4_K / Q5_K after the search: the stored scales, then every code again from them,
  // (x + dmin·m) / (d·sc) along the elements of each sub-block whose d·sc is not 0.
  static void FinishK(const float* x, const float* scales, const float* mins, int nmax, uint8_t* L, uint8_t* out) {
    constexpr size_t kSub = 32;
    kquant::StoreScalesMinsK(scales, mins, out);
    const float d_all = ref::LoadHalf(out), dmin_all = ref::LoadHalf(out + 2);
    for (int j = 0; j < 8; ++j) {
      uint8_t sc, m;
      kquant::ScaleMinK4(j, out + 4, &sc, &m);
      const float d = d_all * static_cast<float>(sc);
      // `if (!d) continue;`: a NaN d does not skip.
      if (d == 0) continue;
      const F vd = Vec::Splat(d), vdm = Vec::Splat(dmin_all * static_cast<float>(m));
      I q[kSub / W];
      for (size_t k = 0; k < kSub / W; ++k) {
        q[k] = Clamp(NearestInt(Vec::Div(Vec::Add(Vec::Load(x + kSub * j + k * W), vdm), vd)), 0, nmax);
      }
      Vec::template StoreBytes<kSub / W>(L + kSub * j, q);
    }
  }

  // Q6_K after the search: the int8 scales and d, then x / (d·sc) per element.
  static bool FinishQ6_K(const float* x, const float* scales, uint8_t* L, uint8_t* out) {
    constexpr size_t kSub = 16;
    if (!kquant::StoreScalesQ6_K(scales, out)) return false;
    const int8_t* sc = reinterpret_cast<const int8_t*>(out + 192);
    const float d_all = ref::LoadHalf(out + 208);
    for (int j = 0; j < 16; ++j) {
      const float d = d_all * static_cast<float>(sc[j]);
      if (d == 0) continue;
      const F vd = Vec::Splat(d);
      I q[kSub / W];
      for (size_t k = 0; k < kSub / W; ++k) {
        q[k] = Vec::AddI(Clamp(NearestInt(Vec::Div(Vec::Load(x + kSub * j + k * W), vd)), -32, 31), 32);
      }
      Vec::template StoreBytes<kSub / W>(L + kSub * j, q);
    }
    return true;
  }

  // Super-blocks in groups that fill the lanes (two at a time for Q4_K / Q5_K with 16
  // lanes; a last group of one leaves lanes 8-15 on zeros, whose results are dropped).
  template <int Type, typename In>
  static void Quantize(const void* xv, size_t blocks, uint8_t* out) {
    constexpr bool kQ6 = Type == kQ6_K;
    constexpr size_t S = kQ6 ? 16 : 32;
    constexpr size_t kSubs = kSuperBlockSize / S;
    constexpr size_t G = W * S > kSuperBlockSize ? W * S / kSuperBlockSize : 1;
    constexpr int nmax = Type == kQ4_K ? 15 : 31;
    constexpr float rmin = Type == kQ4_K ? -1.0f : -0.5f;
    constexpr int nstep = Type == kQ4_K ? 20 : 15;
    static_assert(G * kSubs % W == 0, "whole vectors of sub-blocks");
    alignas(64) float xf[G * kSuperBlockSize];
    alignas(64) float xt[S * W];
    alignas(64) int32_t lt[S * W];
    alignas(64) float scales[G * kSubs];
    alignas(64) float mins[G * kSubs];
    alignas(64) uint8_t L[G * kSuperBlockSize];
    const In* x = static_cast<const In*>(xv);
    for (size_t b = 0; b < blocks; b += G) {
      const size_t g = blocks - b < G ? blocks - b : G;
      for (size_t j = 0; j < g * kSuperBlockSize; ++j) xf[j] = ref::ToF32(x[b * kSuperBlockSize + j]);
      const size_t subs = g * kSubs;
      for (size_t c = 0; c < subs; c += W) {
        const size_t lanes = subs - c < W ? subs - c : W;
        for (size_t k = 0; k < W; ++k) {
          for (size_t i = 0; i < S; ++i) xt[i * W + k] = k < lanes ? xf[(c + k) * S + i] : 0.0f;
        }
        if (kQ6) SearchQx(xt, scales + c, lt);
        else SearchQkx2(xt, nmax, rmin, 0.1f, nstep, scales + c, mins + c, lt);
        for (size_t k = 0; k < lanes; ++k) {
          for (size_t i = 0; i < S; ++i) L[(c + k) * S + i] = static_cast<uint8_t>(lt[i * W + k]);
        }
      }
      for (size_t k = 0; k < g; ++k) {
        const float* xk = xf + k * kSuperBlockSize;
        uint8_t* Lk = L + k * kSuperBlockSize;
        uint8_t* ok = out + (b + k) * BlockBytes(Type);
        if (kQ6) {
          if (FinishQ6_K(xk, scales + k * kSubs, Lk, ok)) kquant::PackCodesQ6_K(Lk, ok);
        } else {
          FinishK(xk, scales + k * kSubs, mins + k * kSubs, nmax, Lk, ok);
          if (Type == kQ4_K) kquant::PackCodesQ4_K(Lk, ok);
          else kquant::PackCodesQ5_K(Lk, ok);
        }
      }
    }
  }
};

}  // namespace simd
}  // namespace
}  // namespace ggml
}  // namespace quantkit
