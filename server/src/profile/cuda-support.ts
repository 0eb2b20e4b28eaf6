// The fixed C++ part of every generated CUDA benchmark harness: checked CUDA calls, NVML loaded with
// dlopen at run time (so the harness compiles and links where no driver is installed), random-normal
// fills, the sampled CPU reference check, CUDA-event timing, the sustained energy run with a 20 Hz
// sampler thread, and the tilecast-profile/1 JSON line. Text only; nothing here runs anything.

/** Headers and helpers placed before the user's file is included (names prefixed tc_ to stay out of its way). */
export const CUDA_SUPPORT_PRELUDE = String.raw`#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#if __has_include(<cuda_fp8.h>)
#include <cuda_fp8.h>
#define TC_HAS_FP8 1
#endif
#include <dlfcn.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

// Every CUDA runtime call is checked: a failure names the call, the line and the error, and exits 2.
#define TC_CHECK(call) do { cudaError_t tc_e = (call); if (tc_e != cudaSuccess) { \
  fprintf(stderr, "tilecast-harness: %s failed (%s:%d): %s\n", #call, __FILE__, __LINE__, cudaGetErrorString(tc_e)); \
  exit(2); } } while (0)

// ---- NVML through dlopen: declared here so no nvml.h or libnvidia-ml is needed to build. ----
typedef struct tc_nvml_device_st *tc_nvml_device;
struct TcNvml {
  void *lib = nullptr;
  tc_nvml_device device = nullptr;
  bool ok = false;
  int (*init)(void) = nullptr;
  int (*shutdown)(void) = nullptr;
  const char *(*error_string)(int) = nullptr;
  int (*by_bus_id)(const char *, tc_nvml_device *) = nullptr;
  int (*energy)(tc_nvml_device, unsigned long long *) = nullptr;
  int (*power)(tc_nvml_device, unsigned int *) = nullptr;
  int (*clock)(tc_nvml_device, int, unsigned int *) = nullptr;
  int (*temperature)(tc_nvml_device, int, unsigned int *) = nullptr;
  int (*power_limit)(tc_nvml_device, unsigned int *) = nullptr;
  int (*driver_version)(char *, unsigned int) = nullptr;
  int (*uuid)(tc_nvml_device, char *, unsigned int) = nullptr;
};
static const int TC_NVML_CLOCK_SM = 1, TC_NVML_CLOCK_MEM = 2, TC_NVML_TEMPERATURE_GPU = 0;

template <typename F> static bool tc_sym(void *lib, const char *name, F &out) {
  out = reinterpret_cast<F>(dlsym(lib, name));
  if (!out) fprintf(stderr, "tilecast-harness: NVML has no %s\n", name);
  return out != nullptr;
}

// Logs a failed NVML call (every call is checked) and answers whether it succeeded.
static bool tc_nvml_ok(const TcNvml &nv, int result, const char *what) {
  if (result == 0) return true;
  fprintf(stderr, "tilecast-harness: NVML %s failed: %s (%d)\n", what, nv.error_string ? nv.error_string(result) : "?", result);
  return false;
}

static void tc_nvml_open(TcNvml &nv, const char *pci_bus_id) {
  nv.lib = dlopen("libnvidia-ml.so.1", RTLD_NOW);
  if (!nv.lib) nv.lib = dlopen("libnvidia-ml.so", RTLD_NOW);
  if (!nv.lib) { fprintf(stderr, "tilecast-harness: libnvidia-ml not found (%s): no power or energy\n", dlerror()); return; }
  bool all = tc_sym(nv.lib, "nvmlInit_v2", nv.init) && tc_sym(nv.lib, "nvmlShutdown", nv.shutdown) &&
    tc_sym(nv.lib, "nvmlErrorString", nv.error_string) && tc_sym(nv.lib, "nvmlDeviceGetHandleByPciBusId_v2", nv.by_bus_id) &&
    tc_sym(nv.lib, "nvmlDeviceGetPowerUsage", nv.power) && tc_sym(nv.lib, "nvmlDeviceGetClockInfo", nv.clock) &&
    tc_sym(nv.lib, "nvmlDeviceGetTemperature", nv.temperature) && tc_sym(nv.lib, "nvmlDeviceGetEnforcedPowerLimit", nv.power_limit) &&
    tc_sym(nv.lib, "nvmlSystemGetDriverVersion", nv.driver_version) && tc_sym(nv.lib, "nvmlDeviceGetUUID", nv.uuid);
  tc_sym(nv.lib, "nvmlDeviceGetTotalEnergyConsumption", nv.energy); // Volta and later; optional
  if (!all) return;
  if (!tc_nvml_ok(nv, nv.init(), "init")) return;
  nv.ok = tc_nvml_ok(nv, nv.by_bus_id(pci_bus_id, &nv.device), "device handle by PCI bus id");
}

// ---- Random normal data (never zeros: zeros draw less power and let clocks run higher). ----
__host__ __device__ inline unsigned long long tc_mix(unsigned long long x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
template <typename T> struct TcConvert;
template <> struct TcConvert<float> { __host__ __device__ static float from(float v) { return v; } __host__ __device__ static float to(float v) { return v; } };
template <> struct TcConvert<double> { __host__ __device__ static double from(float v) { return v; } __host__ __device__ static float to(double v) { return (float)v; } };
template <> struct TcConvert<__half> { __host__ __device__ static __half from(float v) { return __float2half(v); } __host__ __device__ static float to(__half v) { return __half2float(v); } };
template <> struct TcConvert<__nv_bfloat16> { __host__ __device__ static __nv_bfloat16 from(float v) { return __float2bfloat16(v); } __host__ __device__ static float to(__nv_bfloat16 v) { return __bfloat162float(v); } };
#ifdef TC_HAS_FP8
template <> struct TcConvert<__nv_fp8_e4m3> { __host__ __device__ static __nv_fp8_e4m3 from(float v) { return __nv_fp8_e4m3(v); } __host__ __device__ static float to(__nv_fp8_e4m3 v) { return float(v); } };
template <> struct TcConvert<__nv_fp8_e5m2> { __host__ __device__ static __nv_fp8_e5m2 from(float v) { return __nv_fp8_e5m2(v); } __host__ __device__ static float to(__nv_fp8_e5m2 v) { return float(v); } };
#endif
// Integers: small values (|x| <= 24) so int32 accumulation is exact and the check can be tight.
template <> struct TcConvert<int8_t> { __host__ __device__ static int8_t from(float v) { float r = rintf(v * 8.0f); return (int8_t)fmaxf(-24.f, fminf(24.f, r)); } __host__ __device__ static float to(int8_t v) { return (float)v; } };
template <> struct TcConvert<int> { __host__ __device__ static int from(float v) { return (int)rintf(v * 8.0f); } __host__ __device__ static float to(int v) { return (float)v; } };

template <typename T> __global__ void tc_fill_normal(T *p, size_t n, unsigned long long seed) {
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
    unsigned long long r = tc_mix(seed * 0x100000001B3ull + i);
    float u1 = ((float)(r >> 40) + 1.0f) * (1.0f / 16777217.0f);
    float u2 = (float)(r & 0xFFFFFFull) * (1.0f / 16777216.0f);
    p[i] = TcConvert<T>::from(sqrtf(-2.0f * logf(u1)) * cospif(2.0f * u2));
  }
}

template <typename T> static T *tc_alloc_normal(size_t n, unsigned long long seed) {
  T *p = nullptr;
  TC_CHECK(cudaMalloc(&p, n * sizeof(T)));
  tc_fill_normal<T><<<1024, 256>>>(p, n, seed);
  TC_CHECK(cudaGetLastError());
  return p;
}
template <typename T> static T *tc_alloc_zero(size_t n) {
  T *p = nullptr;
  TC_CHECK(cudaMalloc(&p, n * sizeof(T)));
  TC_CHECK(cudaMemset(p, 0, n * sizeof(T)));
  return p;
}
template <typename T> static std::vector<float> tc_download(const T *d, size_t n) {
  std::vector<T> raw(n);
  TC_CHECK(cudaMemcpy(raw.data(), d, n * sizeof(T), cudaMemcpyDeviceToHost));
  std::vector<float> out(n);
  for (size_t i = 0; i < n; i++) out[i] = TcConvert<T>::to(raw[i]);
  return out;
}
`;

/** Measurement and output code placed after the user's file (its macros are defined by then; names stay tc_). */
export const CUDA_SUPPORT_MEASURE = String.raw`
// ---- The result check: 64 sampled outputs against a double-precision CPU dot product, for each of the
// eight row/column-major layouts of A, B and C; the best layout must be within tolerance. ----
struct TcCheck { const char *result; double maxError; int layout; };
static TcCheck tc_check(const std::vector<float> &A, const std::vector<float> &B, const std::vector<float> &C,
                        long long M, long long N, long long K, double tolerance) {
  double best = INFINITY; int bestLayout = -1;
  for (int layout = 0; layout < 8; layout++) {
    bool aCol = layout & 1, bCol = layout & 2, cCol = layout & 4;
    double worst = 0;
    for (int s = 0; s < 64; s++) {
      long long i = (long long)(tc_mix(2 * s + 11) % (unsigned long long)M), j = (long long)(tc_mix(2 * s + 12) % (unsigned long long)N);
      double ref = 0;
      for (long long k = 0; k < K; k++) ref += (double)A[aCol ? i + k * M : i * K + k] * (double)B[bCol ? k + j * K : k * N + j];
      double got = C[cCol ? i + j * M : i * N + j];
      double err = std::fabs(got - ref) / std::sqrt((double)K);
      if (!(err <= worst)) worst = std::isnan(err) ? INFINITY : err;
    }
    if (worst < best) { best = worst; bestLayout = layout; }
  }
  return { best <= tolerance ? "passed" : "failed", best, bestLayout };
}

static double tc_quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  double pos = q * (v.size() - 1);
  size_t lo = (size_t)pos;
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}
static double tc_now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct TcMeasurement {
  std::vector<double> samplesMs;
  double sustainedMs = 0, sustainedLaunches = 0, energyMj = -1;
  const char *energyMethod = "none";
  std::vector<double> powerW, smClockMHz, memClockMHz;
  double temperatureC = -1000, powerLimitW = -1;
};

// Warm-up, N timed launches (one event pair each), then a sustained run of at least sustainMs while a
// sampler thread reads power, clocks and temperature at 20 Hz. Energy from NVML's total-energy counter
// where the GPU has one, else mean sampled power x time.
template <typename Launch> static TcMeasurement tc_measure(Launch launch, TcNvml &nv, double warmupMs, double timedMs, double sustainMs) {
  TcMeasurement out;
  double t0 = tc_now_ms();
  int warm = 0;
  while (warm < 3 || (tc_now_ms() - t0 < warmupMs && warm < 10000)) { launch(); TC_CHECK(cudaDeviceSynchronize()); warm++; }
  double estimateMs = (tc_now_ms() - t0) / warm;
  int n = (int)std::max(10.0, std::min(2000.0, timedMs / std::max(estimateMs, 1e-3)));
  std::vector<cudaEvent_t> ev(2 * n);
  for (auto &e : ev) TC_CHECK(cudaEventCreate(&e));
  for (int i = 0; i < n; i++) { TC_CHECK(cudaEventRecord(ev[2 * i])); launch(); TC_CHECK(cudaEventRecord(ev[2 * i + 1])); }
  TC_CHECK(cudaGetLastError());
  TC_CHECK(cudaDeviceSynchronize());
  for (int i = 0; i < n; i++) { float ms = 0; TC_CHECK(cudaEventElapsedTime(&ms, ev[2 * i], ev[2 * i + 1])); out.samplesMs.push_back(ms); }
  for (auto &e : ev) TC_CHECK(cudaEventDestroy(e));

  std::atomic<bool> stop(false);
  std::thread sampler;
  unsigned long long e0 = 0, e1 = 0;
  bool haveEnergy = false;
  if (nv.ok) {
    unsigned int limit = 0;
    if (tc_nvml_ok(nv, nv.power_limit(nv.device, &limit), "enforced power limit")) out.powerLimitW = limit / 1000.0;
    haveEnergy = nv.energy && tc_nvml_ok(nv, nv.energy(nv.device, &e0), "total energy");
    sampler = std::thread([&]() {
      while (!stop.load()) {
        unsigned int mw = 0, sm = 0, mem = 0, temp = 0;
        if (tc_nvml_ok(nv, nv.power(nv.device, &mw), "power usage") && mw > 0) out.powerW.push_back(mw / 1000.0);
        if (tc_nvml_ok(nv, nv.clock(nv.device, TC_NVML_CLOCK_SM, &sm), "SM clock") && sm > 0) out.smClockMHz.push_back(sm);
        if (tc_nvml_ok(nv, nv.clock(nv.device, TC_NVML_CLOCK_MEM, &mem), "memory clock") && mem > 0) out.memClockMHz.push_back(mem);
        if (tc_nvml_ok(nv, nv.temperature(nv.device, TC_NVML_TEMPERATURE_GPU, &temp), "temperature")) out.temperatureC = std::max(out.temperatureC, (double)temp);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  }
  cudaEvent_t s0, s1;
  TC_CHECK(cudaEventCreate(&s0));
  TC_CHECK(cudaEventCreate(&s1));
  int chunk = (int)std::max(1.0, 20.0 / std::max(estimateMs, 1e-3));
  double w0 = tc_now_ms();
  TC_CHECK(cudaEventRecord(s0));
  long long launches = 0;
  while (tc_now_ms() - w0 < sustainMs) {
    for (int i = 0; i < chunk; i++) launch();
    launches += chunk;
    TC_CHECK(cudaDeviceSynchronize());
  }
  TC_CHECK(cudaEventRecord(s1));
  TC_CHECK(cudaEventSynchronize(s1));
  float gpuMs = 0;
  TC_CHECK(cudaEventElapsedTime(&gpuMs, s0, s1));
  if (haveEnergy) haveEnergy = tc_nvml_ok(nv, nv.energy(nv.device, &e1), "total energy");
  stop.store(true);
  if (sampler.joinable()) sampler.join();
  TC_CHECK(cudaEventDestroy(s0));
  TC_CHECK(cudaEventDestroy(s1));
  out.sustainedMs = gpuMs;
  out.sustainedLaunches = (double)launches;
  if (haveEnergy && e1 > e0) { out.energyMj = (double)(e1 - e0) / launches; out.energyMethod = "nvml-total-energy"; }
  else if (!out.powerW.empty()) {
    double mean = 0; for (double p : out.powerW) mean += p; mean /= out.powerW.size();
    out.energyMj = mean * gpuMs / launches; out.energyMethod = "power-samples";
  }
  return out;
}

// ---- JSON output ----
static std::string tc_json_string(const char *s) {
  std::string out = "\"";
  for (const char *p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '"' || c == '\\') { out += '\\'; out += (char)c; }
    else if (c < 0x20) { char buf[8]; snprintf(buf, sizeof buf, "\\u%04x", c); out += buf; }
    else out += (char)c;
  }
  return out + "\"";
}
static std::string tc_json_number(double v) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
static std::string tc_json_array(const std::vector<double> &v, size_t cap) {
  std::string out = "[";
  size_t count = std::min(cap, v.size());
  for (size_t i = 0; i < count; i++) {
    size_t at = v.size() <= cap ? i : (size_t)((double)i * (v.size() - 1) / (count - 1));
    if (i) out += ",";
    out += tc_json_number(std::max(v[at], 1e-6));
  }
  return out + "]";
}

struct TcHarnessOptions { int device = 0; double warmupMs = 200, timedMs = 500, sustainMs = 1000; const char *clockPolicy = "default"; bool check = true; };
static TcHarnessOptions tc_parse_options(int argc, char **argv) {
  TcHarnessOptions o;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> const char * { if (i + 1 >= argc) { fprintf(stderr, "tilecast-harness: %s needs a value\n", a.c_str()); exit(64); } return argv[++i]; };
    if (a == "--device") o.device = atoi(next());
    else if (a == "--timed-ms") o.timedMs = atof(next());
    else if (a == "--warmup-ms") o.warmupMs = atof(next());
    else if (a == "--sustain-ms") o.sustainMs = std::max(1000.0, atof(next()));
    else if (a == "--clock-policy") { o.clockPolicy = next(); if (strcmp(o.clockPolicy, "locked") && strcmp(o.clockPolicy, "default")) { fprintf(stderr, "tilecast-harness: --clock-policy is default or locked\n"); exit(64); } }
    else if (a == "--no-check") o.check = false;
    else { fprintf(stderr, "usage: %s [--device N] [--timed-ms MS] [--warmup-ms MS] [--sustain-ms MS>=1000] [--clock-policy default|locked] [--no-check]\n", argv[0]); exit(64); }
  }
  return o;
}

struct TcRecordInfo {
  const char *gpuId, *dtype, *kernel, *kernelName, *paramsJson, *tool;
  long long m, n, k, batch;
  unsigned grid[3], block[3];
  /** JSON fields the model's workload needs (",\"tile\":{...}", ...), or "". */
  const char *workloadJson = "";
};

static void tc_print_record(const TcRecordInfo &info, const cudaDeviceProp &prop, TcNvml &nv, const TcMeasurement &r,
                            const TcCheck &check, const TcHarnessOptions &o) {
  std::string s = "{\"schema\":\"tilecast-profile/1\"";
  s += ",\"gpu\":" + tc_json_string(info.gpuId) + ",\"gpuName\":" + tc_json_string(prop.name);
  s += ",\"dtype\":" + tc_json_string(info.dtype);
  s += ",\"m\":" + std::to_string(info.m) + ",\"n\":" + std::to_string(info.n) + ",\"k\":" + std::to_string(info.k) + ",\"batch\":" + std::to_string(info.batch);
  s += ",\"kernel\":" + tc_json_string(info.kernel) + ",\"kernelName\":" + tc_json_string(info.kernelName);
  s += ",\"params\":" + std::string(info.paramsJson);
  s += ",\"grid\":[" + std::to_string(info.grid[0]) + "," + std::to_string(info.grid[1]) + "," + std::to_string(info.grid[2]) + "]";
  s += ",\"block\":[" + std::to_string(info.block[0]) + "," + std::to_string(info.block[1]) + "," + std::to_string(info.block[2]) + "]";
  s += info.workloadJson;
  s += ",\"runtimeMs\":" + tc_json_number(tc_quantile(r.samplesMs, 0.5));
  s += ",\"runtimeP10Ms\":" + tc_json_number(tc_quantile(r.samplesMs, 0.1)) + ",\"runtimeP90Ms\":" + tc_json_number(tc_quantile(r.samplesMs, 0.9));
  s += ",\"runtimeSamplesMs\":" + tc_json_array(r.samplesMs, 200);
  s += ",\"sustainedMs\":" + tc_json_number(r.sustainedMs);
  if (r.energyMj > 0) {
    s += ",\"energyMj\":" + tc_json_number(r.energyMj) + ",\"energyMethod\":" + tc_json_string(r.energyMethod);
    s += ",\"powerW\":" + tc_json_number(r.energyMj * r.sustainedLaunches / r.sustainedMs);
  }
  if (!r.powerW.empty()) s += ",\"powerSamplesW\":" + tc_json_array(r.powerW, 100);
  if (r.powerLimitW > 0) s += ",\"powerLimitW\":" + tc_json_number(r.powerLimitW);
  if (!r.smClockMHz.empty()) s += ",\"smClockMHz\":" + tc_json_number(tc_quantile(r.smClockMHz, 0.5));
  if (!r.memClockMHz.empty()) s += ",\"memClockMHz\":" + tc_json_number(tc_quantile(r.memClockMHz, 0.5));
  if (r.temperatureC > -50) s += ",\"temperatureC\":" + tc_json_number(r.temperatureC);
  s += ",\"clockPolicy\":" + tc_json_string(o.clockPolicy);
  char uuid[96] = "", driver[96] = "";
  if (nv.ok && tc_nvml_ok(nv, nv.uuid(nv.device, uuid, sizeof uuid), "UUID")) s += ",\"gpuUuid\":" + tc_json_string(uuid);
  if (nv.ok && tc_nvml_ok(nv, nv.driver_version(driver, sizeof driver), "driver version")) s += ",\"driverVersion\":" + tc_json_string(driver);
  int runtimeVersion = 0, driverApi = 0;
  TC_CHECK(cudaRuntimeGetVersion(&runtimeVersion));
  TC_CHECK(cudaDriverGetVersion(&driverApi));
  char cuda[64];
  snprintf(cuda, sizeof cuda, "runtime %d.%d, driver API %d.%d", runtimeVersion / 1000, (runtimeVersion % 1000) / 10, driverApi / 1000, (driverApi % 1000) / 10);
  s += ",\"cudaVersion\":" + tc_json_string(cuda);
  s += ",\"check\":" + tc_json_string(check.result);
  if (std::isfinite(check.maxError)) s += ",\"checkMaxError\":" + tc_json_number(check.maxError);
  char stamp[32];
  std::time_t now = std::time(nullptr);
  std::tm utc;
  gmtime_r(&now, &utc);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  s += ",\"timestamp\":" + tc_json_string(stamp) + ",\"tool\":" + tc_json_string(info.tool) + "}";
  printf("%s\n", s.c_str());
  fflush(stdout);
}
`;
