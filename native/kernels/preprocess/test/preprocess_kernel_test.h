// Included by native/kernels/test/kernel_test.cc (inside its anonymous namespace, after
// Check and Report): each level's preprocessing table against the scalar one, bit for bit,
// on random pixels and embeddings with NaN, ±Inf, -0, ties and out-of-range values, at odd
// lengths, dims and part boundaries.
#pragma once
// kernel_test.cc includes kernels/preprocess/preprocess.h at file scope, before this.

template <typename T>
void ComparePreprocessImage(const preprocess::PreprocessTable& isa, std::mt19937_64& rng, Check& check, int width) {
  const preprocess::PreprocessTable& ref = preprocess::ScalarPreprocess();
  for (int ic : {1, 3, 4}) {
    for (int oc : {1, 3, 4}) {
      for (bool nhwc : {false, true}) {
        const size_t n = 1 + rng() % 1000;
        std::vector<uint8_t> px(n * ic);
        for (auto& b : px) b = static_cast<uint8_t>(rng());
        std::vector<T> lut(oc * 256);
        for (auto& v : lut) v = static_cast<T>(rng());
        preprocess::ImageCall call{};
        call.pixels = px.data();
        call.lut = lut.data();
        call.pixel_count = n;
        call.in_channels = ic;
        call.out_channels = oc;
        call.nhwc = nhwc;
        for (int c = 0; c < oc; ++c) call.source[c] = static_cast<uint8_t>(rng() % ic);
        std::vector<T> want(n * oc), got(n * oc);
        call.out = want.data();
        ref.image[width](call, 0, n);
        call.out = got.data();
        // Two parts, as the thread split makes them.
        const size_t mid = (n / 2) & ~size_t{63};
        isa.image[width](call, 0, mid);
        isa.image[width](call, mid, n);
        ++check.cases;
        if (std::memcmp(want.data(), got.data(), want.size() * sizeof(T)) != 0) {
          Report(check, "image ic " + std::to_string(ic) + " oc " + std::to_string(oc) + (nhwc ? " nhwc" : " nchw"));
        }
      }
    }
  }
}

template <typename In>
void ComparePreprocessEmbeddings(const preprocess::PreprocessTable& isa, std::mt19937_64& rng, Check& check) {
  const preprocess::PreprocessTable& ref = preprocess::ScalarPreprocess();
  const int type = std::is_same<In, double>::value ? kF64 : kF32;
  std::uniform_real_distribution<float> u(-2.0f, 2.0f);
  for (size_t dim : {size_t{1}, size_t{7}, size_t{8}, size_t{31}, size_t{32}, size_t{33}, size_t{768}, size_t{100}}) {
    const size_t rows = 1 + rng() % 9;
    std::vector<float> min(dim), step(dim);
    for (size_t d = 0; d < dim; ++d) {
      min[d] = u(rng) - 1.0f;
      step[d] = (rng() % 16 == 0) ? 1.0f : static_cast<float>((u(rng) + 2.5f) / 255.0f);
    }
    std::vector<In> x(rows * dim);
    for (size_t i = 0; i < x.size(); ++i) {
      const size_t d = i % dim;
      switch (rng() % 12) {
        case 0: x[i] = static_cast<In>(std::numeric_limits<float>::quiet_NaN()); break;
        case 1: x[i] = static_cast<In>((rng() & 1) ? INFINITY : -INFINITY); break;
        case 2: x[i] = static_cast<In>(-0.0f); break;
        // An exact tie: min + (k + 0.5) * step.
        case 3: x[i] = static_cast<In>(min[d] + (static_cast<float>(rng() % 255) + 0.5f) * step[d]); break;
        case 4: x[i] = static_cast<In>(u(rng) * 1000.0f); break;
        default: x[i] = static_cast<In>(u(rng)); break;
      }
    }
    for (int mode = 0; mode < 4; ++mode) {
      const bool floor = mode & 1, is_signed = mode & 2;
      std::vector<uint8_t> want(x.size()), got(x.size());
      ref.quantize[type](x.data(), want.data(), rows, dim, min.data(), step.data(), floor, is_signed);
      isa.quantize[type](x.data(), got.data(), rows, dim, min.data(), step.data(), floor, is_signed);
      ++check.cases;
      if (want != got) Report(check, "quantize dim " + std::to_string(dim) + " mode " + std::to_string(mode));
      const size_t bytes = rows * ((dim + 7) / 8);
      std::vector<uint8_t> bw(bytes), bg(bytes);
      ref.binary[type](x.data(), bw.data(), rows, dim, is_signed);
      isa.binary[type](x.data(), bg.data(), rows, dim, is_signed);
      ++check.cases;
      if (bw != bg) Report(check, "binary dim " + std::to_string(dim));
    }
  }
}

void TestPreprocess(const preprocess::PreprocessTable& isa, uint64_t seed, std::vector<Check>& checks) {
  checks.push_back(Check{std::string(isa.isa) + " preprocess image, embeddings"});
  Check& check = checks.back();
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 20; ++round) {
    ComparePreprocessImage<uint32_t>(isa, rng, check, preprocess::kLut32);
    ComparePreprocessImage<uint16_t>(isa, rng, check, preprocess::kLut16);
    ComparePreprocessImage<uint8_t>(isa, rng, check, preprocess::kLut8);
    ComparePreprocessEmbeddings<float>(isa, rng, check);
    ComparePreprocessEmbeddings<double>(isa, rng, check);
  }
}
