// Included by fuzz_args.cc (inside its anonymous namespace, after its helpers): the checks
// of args/preprocess_args.h against the rules stated again here, and for every accepted call
// the bytes the preprocessing kernels will touch, which must lie inside the arrays and apart.
#pragma once

void FuzzImage(FuzzedDataProvider& in) {
  const args::Number in_channels = SmallNumber(in, 0, 5);
  const bool ic_ok = in_channels.is_number && IntegerRule(in_channels.value, 1, 4) && in_channels.value != 2;
  const size_t ic = ic_ok ? static_cast<size_t>(in_channels.value) : 1;
  // sources is read by the check: real memory.
  std::vector<uint8_t> source_bytes(in.ConsumeIntegralInRange<size_t>(0, 5));
  for (auto& b : source_bytes) b = in.ConsumeIntegralInRange<uint8_t>(0, 5);
  const args::Span sources{source_bytes.data(), source_bytes.size(), source_bytes.size(), 0};
  const size_t oc = source_bytes.size();
  const size_t width = in.ConsumeIntegralInRange(0, 2) == 0 ? 4 : in.ConsumeBool() ? 2 : 1;  // element bytes of out and lut
  const args::Span pixels = SpanAt(in, 0, 1, LengthNear(in, static_cast<u128>(ic) * in.ConsumeIntegralInRange<size_t>(0, 1000)), nullptr, 0);
  const size_t pixel_count = pixels.length / ic;
  const args::Span lut = SpanAt(in, 0, width, LengthNear(in, static_cast<u128>(oc) * 256), pixels.data, pixels.bytes);
  const args::Span out = SpanAt(in, 0, width, LengthNear(in, static_cast<u128>(pixel_count) * oc), pixels.data, pixels.bytes);
  Expected want = kAccept;
  if (!in_channels.is_number) {
    want = {args::ErrorKind::kType, "Expected a number for inChannels"};
  } else if (!ic_ok) {
    want = {args::ErrorKind::kRange, in_channels.value == 2 ? "Expected 1, 3 or 4 for inChannels" : "Expected an integer in [1, 4] for inChannels"};
  } else if (pixels.length % ic != 0) {
    want = {args::ErrorKind::kRange, "Expected pixels.length to be a multiple of inChannels"};
  } else if (oc < 1 || oc > 4) {
    want = {args::ErrorKind::kRange, "Expected 1 to 4 output channels in sources"};
  } else if (std::any_of(source_bytes.begin(), source_bytes.end(), [&](uint8_t s) { return s >= ic; })) {
    want = {args::ErrorKind::kRange, "Expected sources["};
  } else if (lut.length != oc * 256) {
    want = {args::ErrorKind::kRange, "Expected lut.length to equal 256"};
  } else if (out.length != pixel_count * oc) {
    want = {args::ErrorKind::kRange, "Expected out.length to equal"};
  } else if (OverlapRule(pixels, out)) {
    want = {args::ErrorKind::kRange, "Expected out not to overlap pixels"};
  } else if (OverlapRule(lut, out)) {
    want = {args::ErrorKind::kRange, "Expected out not to overlap lut"};
  } else if (OverlapRule(sources, out)) {
    want = {args::ErrorKind::kRange, "Expected out not to overlap sources"};
  }
  preprocess::ImageCall call{};
  const args::Result got = args::CheckImage(pixels, out, lut, sources, in_channels, in.ConsumeBool(), &call);
  Compare("imageToTensor", got, want);
  if (!got.ok()) return;
  // Pixel p, channel c reads byte p * ic + source[c] and lut entry c * 256 + byte; writes one element a channel.
  for (int c = 0; c < call.out_channels; ++c) {
    if (call.source[c] >= call.in_channels) Fail("imageToTensor: a source channel past the pixel");
  }
  Inside("imageToTensor", "pixels", static_cast<u128>(call.pixel_count) * call.in_channels, pixels);
  Inside("imageToTensor", "lut", static_cast<u128>(call.out_channels) * 256 * width, lut);
  Inside("imageToTensor", "out", static_cast<u128>(call.pixel_count) * call.out_channels * width, out);
  Apart("imageToTensor", pixels.data, pixels.bytes, out.data, out.bytes);
  Apart("imageToTensor", lut.data, lut.bytes, out.data, out.bytes);
}

void FuzzEmbeddings(FuzzedDataProvider& in) {
  const bool binary = in.ConsumeBool();
  const char* call = binary ? "binarizeEmbeddings" : "quantizeEmbeddings";
  const args::Number dim = in.ConsumeIntegralInRange(0, 3) == 0 ? NumberFrom(in) : SmallNumber(in, 0, 70);
  const bool dim_ok = dim.is_number && IntegerRule(dim.value, 1, args::kMaxDim);
  const size_t d = dim_ok ? static_cast<size_t>(dim.value) : 1;
  const int ftype = in.ConsumeIntegralInRange(0, 1);
  const size_t fsize = SizeOf(ftype, true);
  const args::Span x = SpanAt(in, ftype, fsize, LengthNear(in, static_cast<u128>(d) * in.ConsumeIntegralInRange<size_t>(0, 50)), nullptr, 0);
  const u128 rows = x.length / d;
  const u128 out_length = binary ? rows * ((d + 7) / 8) : x.length;
  const args::Span out = SpanAt(in, kU8, 1, LengthNear(in, out_length), x.data, x.bytes);
  const args::Span min = SpanAt(in, kF32, 4, LengthNear(in, d), out.data, out.bytes);
  const args::Span step = SpanAt(in, kF32, 4, LengthNear(in, d), out.data, out.bytes);
  Expected want = kAccept;
  if (!dim.is_number) {
    want = {args::ErrorKind::kType, "Expected a number for dim"};
  } else if (!dim_ok) {
    want = {args::ErrorKind::kRange, "Expected an integer in [1, "};
  } else if (x.length % d != 0) {
    want = {args::ErrorKind::kRange, "Expected x.length to be a multiple of dim"};
  } else if (out.length != out_length) {
    want = {args::ErrorKind::kRange, binary ? "Expected out.length to equal" : "Expected out.length to equal the input length"};
  } else if (!binary && min.length != d) {
    want = {args::ErrorKind::kRange, "Expected min.length to equal dim"};
  } else if (!binary && step.length != d) {
    want = {args::ErrorKind::kRange, "Expected step.length to equal dim"};
  } else if (OverlapRule(x, out)) {
    want = {args::ErrorKind::kRange, "Expected out not to overlap x"};
  } else if (!binary && OverlapRule(min, out)) {
    want = {args::ErrorKind::kRange, "Expected out not to overlap min"};
  } else if (!binary && OverlapRule(step, out)) {
    want = {args::ErrorKind::kRange, "Expected out not to overlap step"};
  }
  size_t got_dim = 0;
  const args::Result got = binary ? args::CheckEmbedBinary(x, out, dim, &got_dim) : args::CheckEmbedQuantize(x, out, min, step, dim, &got_dim);
  Compare(call, got, want);
  if (!got.ok()) return;
  if (got_dim != d) Fail(std::string(call) + ": dim changed");
  Inside(call, "x", static_cast<u128>(x.length) * fsize, x);
  Inside(call, "out", out_length, out);
  Apart(call, x.data, x.bytes, out.data, out_length);
  if (!binary) {
    Inside(call, "min", static_cast<u128>(d) * 4, min);
    Inside(call, "step", static_cast<u128>(d) * 4, step);
    Apart(call, min.data, min.bytes, out.data, out_length);
    Apart(call, step.data, step.bytes, out.data, out_length);
  }
}

void FuzzPreprocess(FuzzedDataProvider& in) {
  if (in.ConsumeBool()) FuzzImage(in);
  else FuzzEmbeddings(in);
}
