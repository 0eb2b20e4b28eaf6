// =================================================================================================
// CLBlast's Xgemm kernel (the classic GEMMK == 0 kernel) ported from OpenCL to CUDA, so that ptxas can
// report how many registers the real kernel needs per thread, and how much it spills, for the Kernel
// Tuner configurations in ../shared/datasets/kerneltuner/ (MWG NWG KWG MDIMC NDIMC MDIMA NDIMB KWI VWM
// VWN STRM STRN SA SB, fp32). TileCast's register estimate (server/src/perf/resource-estimate.ts,
// registersDemand) is checked against what this file compiles to; it is never run on a GPU for timing.
// How to regenerate the measurements: models/profiling/clblast-xgemm/README.md
// (node --import tsx models/scripts/kt-ptxas.ts).
//
// Ported from CLBlast, https://github.com/CNugteren/CLBlast, files
//   src/kernels/common.opencl            (real, SetToZero, MultiplyAdd, Multiply, AXPBY, IsZero, GetGroupID*)
//   src/kernels/level3/xgemm_part1.opencl (parameters, realM/realN, InitAccRegisters, GlobalToLocalA/B,
//                                          GlobalToPrivateA/B, LocalToPrivateA/B)
//   src/kernels/level3/xgemm_part2.opencl (MultiplyAddVector, StoreResults)
//   src/kernels/level3/xgemm_part3.opencl (XgemmBody, GEMMK == 0 path)
//   src/kernels/level3/xgemm_part4.opencl (the Xgemm entry point; in older releases it was in part 3)
// Copyright Cedric Nugteren and the CLBlast contributors, licensed under the Apache License, Version 2.0
// (http://www.apache.org/licenses/LICENSE-2.0). This is a modified (translated) version: changes are
// listed below. It is distributed under the same licence; no warranty.
//
// Changes from the OpenCL source (none of them changes the per-thread data the kernel keeps live):
// - The tuning parameters are template parameters of XgemmConfig<...> instead of preprocessor defines,
//   so that many configurations compile in one nvcc run; each `#if PARAM == v` became `if constexpr`,
//   and the `#if SA == 1 && SB == 1 ... #elif` cascades that choose which __local arrays exist are kept
//   as `if constexpr` cascades. Derived parameters (MWI, NWI, KDIMA, KDIMB, MWA, KWA, KWB, NWB) are the
//   same formulas as static constexpr members.
// - OpenCL -> CUDA: __global -> plain pointers, __local -> __shared__, restrict -> __restrict__,
//   barrier(CLK_LOCAL_MEM_FENCE) -> __syncthreads(), get_local_id/get_group_id -> threadIdx/blockIdx
//   (returned as size_t like OpenCL's), reqd_work_group_size(MDIMC, NDIMC, 1) -> __launch_bounds__(MDIMC
//   * NDIMC), which like the OpenCL attribute tells ptxas the block size and so bounds the registers.
//   OpenCL's float2/float4 are CUDA's; float8 (s0..s7, 32-byte aligned as in OpenCL) is a struct here.
// - Only what the Kernel Tuner data exercises is kept: PRECISION 32 (fp32), GEMMK 0, USE_VECTOR_MAD 0,
//   USE_CL_MAD 0, GLOBAL_MEM_FENCE 0, no staggered group indices, no subgroup shuffling (GEMMK 1 only),
//   no SYRK/HERK triangular variants. Vector widths 1, 2, 4, 8 (the data set has no 16).
// - The entry point takes the 8 arguments Kernel Tuner passed when the data were measured (kSizeM,
//   kSizeN, kSizeK, alpha, beta, agm, bgm, cgm); current CLBlast also takes buffer offsets.
// - One extern "C" kernel per configuration, named xgemm_MWG.._NWG.._KWG.._MDIMC.._NDIMC.._MDIMA.._
//   NDIMB.._KWI.._VWM.._VWN.._STRM.._STRN.._SA.._SB.. (XGEMM_KERNEL below), so ptxas's per-kernel
//   report can be parsed back into the tunables.
//
// Matrices are accessed as in CLBlast kernel 0:
//   A: [k*M + m], B: [k*N + n], C: [n*M + m]  (column-major, A and C with M as the fast index)
// =================================================================================================

#include <cstddef>

// ------------------------------------------------------------------------------- common.opencl ---

typedef float real;  // PRECISION == 32
typedef float real_arg;
#define ZERO 0.0f
#define GetRealArg(x) x
#define SetToZero(a) a = ZERO
#define IsZero(a) (a == ZERO)
#define Multiply(c, a, b) c = a * b
#define MultiplyAdd(c, a, b) c += a * b  // USE_CL_MAD == 0
#define AXPBY(e, a, b, c, d) e = a * b + c * d
#define INLINE_FUNC static __device__ __forceinline__

// OpenCL's float8 (component names s0..s7, aligned to its size).
struct __align__(32) float8 {
  float s0, s1, s2, s3, s4, s5, s6, s7;
};

// OpenCL work-item functions (they return size_t in OpenCL C).
static __device__ __forceinline__ size_t get_local_id(int d) { return d == 0 ? threadIdx.x : d == 1 ? threadIdx.y : threadIdx.z; }
static __device__ __forceinline__ size_t get_group_id(int d) { return d == 0 ? blockIdx.x : d == 1 ? blockIdx.y : blockIdx.z; }
static __device__ __forceinline__ int GetGroupID1() { return get_group_id(1); }
static __device__ __forceinline__ int GetGroupID0() { return get_group_id(0); }

template <int VW> struct RealVector;
template <> struct RealVector<1> { typedef real type; };
template <> struct RealVector<2> { typedef float2 type; };
template <> struct RealVector<4> { typedef float4 type; };
template <> struct RealVector<8> { typedef float8 type; };

template <int MWG_, int NWG_, int KWG_, int MDIMC_, int NDIMC_, int MDIMA_, int NDIMB_, int KWI_, int VWM_, int VWN_, int STRM_,
          int STRN_, int SA_, int SB_>
struct XgemmConfig {
  // -------------------------------------------------------------------------- xgemm_part1.opencl ---
  static constexpr int MWG = MWG_;      // Tile-size in dimension M (e.g. 64, 128)
  static constexpr int NWG = NWG_;      // Tile-size in dimension N (e.g. 64, 128)
  static constexpr int KWG = KWG_;      // Tile-size in dimension K (e.g. 8, 16)
  static constexpr int MDIMC = MDIMC_;  // Threads per workgroup in M-dimension (e.g. 8, 16, 32)
  static constexpr int NDIMC = NDIMC_;  // Threads per workgroup in N-dimension (e.g. 8, 16, 32)
  static constexpr int MDIMA = MDIMA_;  // Re-shaped tile dimension of matrix A: KDIMA * MDIMA
  static constexpr int NDIMB = NDIMB_;  // Re-shaped tile dimension of matrix B: KDIMB * NDIMB
  static constexpr int KWI = KWI_;      // Unroll factor of the KWG loop (smaller or equal than KWG)
  static constexpr int VWM = VWM_;      // Vector width of matrices A and C
  static constexpr int VWN = VWN_;      // Vector width of matrix B
  static constexpr int STRM = STRM_;    // Use strided access within a thread in the M-dimension (1) or not (0)
  static constexpr int STRN = STRN_;    // Use strided access within a thread in the N-dimension (1) or not (0)
  static constexpr int SA = SA_;        // Use local/shared memory to cache matrix A (1) or not (0)
  static constexpr int SB = SB_;        // Use local/shared memory to cache matrix B (1) or not (0)

  // Helper parameters based on the above tuning parameters
  static constexpr int MWI = MWG / MDIMC;                  // Work per work-item (M-dimension)
  static constexpr int NWI = NWG / NDIMC;                  // Work per work-item (N-dimension)
  static constexpr int KDIMA = (MDIMC * NDIMC) / (MDIMA);  // Re-shaped tile dimension of matrix A: KDIMA * MDIMA
  static constexpr int KDIMB = (MDIMC * NDIMC) / (NDIMB);  // Re-shaped tile dimension of matrix B: KDIMB * NDIMB
  static constexpr int MWA = MWG / MDIMA;                  // Amount of loads-per-thread for matrix A (M-dimension)
  static constexpr int KWA = KWG / KDIMA;                  // Amount of loads-per-thread for matrix A (K-dimension)
  static constexpr int KWB = KWG / KDIMB;                  // Amount of loads-per-thread for matrix B (K-dimension)
  static constexpr int NWB = NWG / NDIMB;                  // Amount of loads-per-thread for matrix B (N-dimension)

  // The restrictions Kernel Tuner applied when it measured the data (and CLBlast's tuner applies).
  static_assert(KWG % KWI == 0, "KWG % KWI == 0");
  static_assert(MWG % (MDIMC * VWM) == 0, "MWG % (MDIMC * VWM) == 0");
  static_assert(NWG % (NDIMC * VWN) == 0, "NWG % (NDIMC * VWN) == 0");
  static_assert(MWG % (MDIMA * VWM) == 0, "MWG % (MDIMA * VWM) == 0");
  static_assert(NWG % (NDIMB * VWN) == 0, "NWG % (NDIMB * VWN) == 0");
  static_assert(KWG % ((MDIMC * NDIMC) / MDIMA) == 0, "KWG % KDIMA == 0");
  static_assert(KWG % ((MDIMC * NDIMC) / NDIMB) == 0, "KWG % KDIMB == 0");

  // Data-widths in dimension M and N
  typedef typename RealVector<VWM>::type realM;
  typedef typename RealVector<VWN>::type realN;

  // Initializes the accumulation registers to zero
  INLINE_FUNC realM InitAccRegisters() {
    realM result;
    if constexpr (VWM == 1) {
      SetToZero(result);
    } else if constexpr (VWM == 2) {
      SetToZero(result.x);
      SetToZero(result.y);
    } else if constexpr (VWM == 4) {
      SetToZero(result.x);
      SetToZero(result.y);
      SetToZero(result.z);
      SetToZero(result.w);
    } else if constexpr (VWM == 8) {
      SetToZero(result.s0);
      SetToZero(result.s1);
      SetToZero(result.s2);
      SetToZero(result.s3);
      SetToZero(result.s4);
      SetToZero(result.s5);
      SetToZero(result.s6);
      SetToZero(result.s7);
    }
    return result;
  }

  // Caches global off-chip memory into local (shared) memory on-chip. This function is specific for
  // caching the A input matrix.
  INLINE_FUNC void GlobalToLocalA(const realM* __restrict__ agm, realM* alm, const int kSizeM, const int tid, const int kwg) {
    const int la0 = tid % MDIMA;
    const int la1 = tid / MDIMA;
#pragma unroll
    for (int _mia = 0; _mia < MWA / VWM; _mia += 1) {
#pragma unroll
      for (int _kia = 0; _kia < KWA; _kia += 1) {
        // Computes the indices based on strided/non-strided access
        int mg;
        if constexpr (STRM == 0) {
          mg = _mia + la0 * (MWA / VWM);
        } else {
          mg = la0 + _mia * MDIMA;
        }

        // Computes the indices for the global memory
        int kg = _kia + la1 * KWA;
        int idm = mg + GetGroupID0() * (MWG / VWM);
        int idk = kg + kwg;

        // Loads the data from global memory (not transposed) into the local memory
        alm[kg * (MWG / VWM) + mg] = agm[idk * (kSizeM / VWM) + idm];
      }
    }
  }

  // Same as above, but now for the B input matrix
  INLINE_FUNC void GlobalToLocalB(const realN* __restrict__ bgm, realN* blm, const int kSizeN, const int tid, const int kwg) {
    const int lb0 = tid % NDIMB;
    const int lb1 = tid / NDIMB;
#pragma unroll
    for (int _kib = 0; _kib < KWB; _kib += 1) {
#pragma unroll
      for (int _nib = 0; _nib < NWB / VWN; _nib += 1) {
        // Computes the indices based on strided/non-strided access
        int ng;
        if constexpr (STRN == 0) {
          ng = _nib + lb0 * (NWB / VWN);
        } else {
          ng = lb0 + _nib * NDIMB;
        }

        // Computes the indices for the global memory
        int kg = _kib + lb1 * KWB;
        int idn = ng + GetGroupID1() * (NWG / VWN);
        int idk = kg + kwg;

        // Loads the data from global memory (transposed) into the local memory
        blm[kg * (NWG / VWN) + ng] = bgm[idk * (kSizeN / VWN) + idn];
      }
    }
  }

  // Caches global off-chip memory directly into per-thread private memory (registers). This function
  // is specific for caching the A input matrix.
  INLINE_FUNC realM GlobalToPrivateA(const realM* __restrict__ agm, const int _mi, const int kSizeM, const int idk, const int kwg) {
    // Computes the indices based on strided/non-strided access
    int mg;
    if constexpr (STRM == 0) {
      mg = _mi + get_local_id(0) * (MWI / VWM);
    } else {
      mg = get_local_id(0) + _mi * MDIMC;
    }

    // Computes the indices for the global memory
    int idm = mg + GetGroupID0() * (MWG / VWM);

    // Loads the data from global memory (not transposed) and stores into registers
    return agm[idk * (kSizeM / VWM) + idm];
  }

  // Same as above, but now for the B input matrix
  INLINE_FUNC realN GlobalToPrivateB(const realN* __restrict__ bgm, const int _ni, const int kSizeN, const int idk) {
    // Computes the indices based on strided/non-strided access
    int ng;
    if constexpr (STRN == 0) {
      ng = _ni + get_local_id(1) * (NWI / VWN);
    } else {
      ng = get_local_id(1) + _ni * NDIMC;
    }

    // Computes the indices for the global memory
    int idn = ng + GetGroupID1() * (NWG / VWN);

    // Loads the data from global memory (transposed) and stores into registers
    return bgm[idk * (kSizeN / VWN) + idn];
  }

  // Caches on-chip local memory into per-thread private memory (registers). This function is specific
  // for caching the A input matrix.
  INLINE_FUNC realM LocalToPrivateA(realM* alm, const int _mi, const int kg) {
    int mg;
    if constexpr (STRM == 0) {
      mg = _mi + get_local_id(0) * (MWI / VWM);
    } else {
      mg = get_local_id(0) + _mi * MDIMC;
    }
    return alm[kg * (MWG / VWM) + mg];
  }

  // Same as above, but now for the B input matrix
  INLINE_FUNC realN LocalToPrivateB(realN* blm, const int _ni, const int kg) {
    int ng;
    if constexpr (STRN == 0) {
      ng = _ni + get_local_id(1) * (NWI / VWN);
    } else {
      ng = get_local_id(1) + _ni * NDIMC;
    }
    return blm[kg * (NWG / VWN) + ng];
  }

  // -------------------------------------------------------------------------- xgemm_part2.opencl ---

  // The vectorised multiply-add function
  INLINE_FUNC realM MultiplyAddVector(realM cvec, const realM avec, const real bval) {
    if constexpr (VWM == 1) {
      MultiplyAdd(cvec, avec, bval);
    } else if constexpr (VWM == 2) {
      MultiplyAdd(cvec.x, avec.x, bval);
      MultiplyAdd(cvec.y, avec.y, bval);
    } else if constexpr (VWM == 4) {
      MultiplyAdd(cvec.x, avec.x, bval);
      MultiplyAdd(cvec.y, avec.y, bval);
      MultiplyAdd(cvec.z, avec.z, bval);
      MultiplyAdd(cvec.w, avec.w, bval);
    } else if constexpr (VWM == 8) {
      MultiplyAdd(cvec.s0, avec.s0, bval);
      MultiplyAdd(cvec.s1, avec.s1, bval);
      MultiplyAdd(cvec.s2, avec.s2, bval);
      MultiplyAdd(cvec.s3, avec.s3, bval);
      MultiplyAdd(cvec.s4, avec.s4, bval);
      MultiplyAdd(cvec.s5, avec.s5, bval);
      MultiplyAdd(cvec.s6, avec.s6, bval);
      MultiplyAdd(cvec.s7, avec.s7, bval);
    }
    return cvec;
  }

  // Merges the results in Cpm with the global array in Cgm. This also performs the multiplication
  // with the constants: Cgm = alpha*A*B + beta*Cgm = alpha*Cpm + beta*Cgm
  INLINE_FUNC void StoreResults(realM* cgm, realM c_value, const int _mi, const int _ni, const int kSizeM, const real alpha, const real beta) {
    int mg;
    if constexpr (STRM == 0) {
      mg = _mi + get_local_id(0) * (MWI / VWM);
    } else {
      mg = get_local_id(0) + _mi * MDIMC;
    }
    int ng;
    if constexpr (STRN == 0) {
      ng = _ni + get_local_id(1) * NWI;
    } else {
      ng = _ni % VWN + get_local_id(1) * VWN + (_ni / VWN) * VWN * NDIMC;
    }
    int idm = mg + GetGroupID0() * (MWG / VWM);
    int idn = ng + GetGroupID1() * NWG;
    int index = idn * (kSizeM / VWM) + idm;

    realM result;
    realM xval = c_value;

    // The final multiplication with alpha (in case beta == 0)
    if (IsZero(beta)) {
      if constexpr (VWM == 1) {
        Multiply(result, alpha, xval);
      } else if constexpr (VWM == 2) {
        Multiply(result.x, alpha, xval.x);
        Multiply(result.y, alpha, xval.y);
      } else if constexpr (VWM == 4) {
        Multiply(result.x, alpha, xval.x);
        Multiply(result.y, alpha, xval.y);
        Multiply(result.z, alpha, xval.z);
        Multiply(result.w, alpha, xval.w);
      } else if constexpr (VWM == 8) {
        Multiply(result.s0, alpha, xval.s0);
        Multiply(result.s1, alpha, xval.s1);
        Multiply(result.s2, alpha, xval.s2);
        Multiply(result.s3, alpha, xval.s3);
        Multiply(result.s4, alpha, xval.s4);
        Multiply(result.s5, alpha, xval.s5);
        Multiply(result.s6, alpha, xval.s6);
        Multiply(result.s7, alpha, xval.s7);
      }
    }

    // The final multiplication with alpha and the addition with beta*C
    else {
      realM yval = cgm[index];
      if constexpr (VWM == 1) {
        AXPBY(result, alpha, xval, beta, yval);
      } else if constexpr (VWM == 2) {
        AXPBY(result.x, alpha, xval.x, beta, yval.x);
        AXPBY(result.y, alpha, xval.y, beta, yval.y);
      } else if constexpr (VWM == 4) {
        AXPBY(result.x, alpha, xval.x, beta, yval.x);
        AXPBY(result.y, alpha, xval.y, beta, yval.y);
        AXPBY(result.z, alpha, xval.z, beta, yval.z);
        AXPBY(result.w, alpha, xval.w, beta, yval.w);
      } else if constexpr (VWM == 8) {
        AXPBY(result.s0, alpha, xval.s0, beta, yval.s0);
        AXPBY(result.s1, alpha, xval.s1, beta, yval.s1);
        AXPBY(result.s2, alpha, xval.s2, beta, yval.s2);
        AXPBY(result.s3, alpha, xval.s3, beta, yval.s3);
        AXPBY(result.s4, alpha, xval.s4, beta, yval.s4);
        AXPBY(result.s5, alpha, xval.s5, beta, yval.s5);
        AXPBY(result.s6, alpha, xval.s6, beta, yval.s6);
        AXPBY(result.s7, alpha, xval.s7, beta, yval.s7);
      }
    }
    cgm[index] = result;
  }

  // -------------------------------------------------------------------------- xgemm_part3.opencl ---

  // One cpm[...] = MultiplyAddVector(cpm[...], aval, bpm[_ni].<component>) line of the VWN == n blocks.
#define XGEMM_MAD_N(j, comp) \
  cpm[(_ni * VWN + j) * (MWI / VWM) + _mi] = MultiplyAddVector(cpm[(_ni * VWN + j) * (MWI / VWM) + _mi], aval, bpm[_ni] comp)

  // Main body of the matrix-multiplication algorithm. It calls various (inlined) functions.
  // alm / blm are null where SA / SB is 0 (the OpenCL version leaves the parameter out).
  INLINE_FUNC void XgemmBody(const int kSizeM, const int kSizeN, const int kSizeK, const realM* __restrict__ agm, const realN* __restrict__ bgm,
                             realM* cgm, const real alpha, const real beta, realM* alm, realN* blm) {
    // Allocates workitem-private memory (registers)
    realM apm[MWI / VWM];
    realN bpm[NWI / VWN];
    realM cpm[NWI * (MWI / VWM)];

    // Combined thread identifier (volatile to disable caching)
    [[maybe_unused]] volatile int tid;
    if constexpr (SA == 1 || SB == 1) {
      tid = get_local_id(0) + MDIMC * get_local_id(1);
    }

    // Initializes the accumulation registers
#pragma unroll
    for (int _mi = 0; _mi < MWI / VWM; _mi += 1) {
#pragma unroll
      for (int _ni = 0; _ni < NWI; _ni += 1) {
        cpm[_ni * (MWI / VWM) + _mi] = InitAccRegisters();
      }
    }

    // Loops over all workgroup tiles
    for (int kwg = 0; kwg < kSizeK; kwg += KWG) {
      // Loads data: off-chip --> local (matrix A)
      if constexpr (SA == 1) {
        GlobalToLocalA(agm, alm, kSizeM, tid, kwg);
      }
      // Loads data: off-chip --> local (matrix B)
      if constexpr (SB == 1) {
        GlobalToLocalB(bgm, blm, kSizeN, tid, kwg);
      }
      if constexpr (SA == 1 || SB == 1) {
        __syncthreads();  // barrier(CLK_LOCAL_MEM_FENCE)
      }

      // Loops over all workitem tiles, unrolled by a factor KWI
      for (int pwi = 0; pwi < KWG; pwi += KWI) {
#pragma unroll
        for (int _pit = 0; _pit < KWI; _pit += 1) {
          [[maybe_unused]] int idk = kwg + pwi + _pit;  // used where SA == 0 || SB == 0
          [[maybe_unused]] int kg = pwi + _pit;         // used where SA == 1 || SB == 1

#pragma unroll
          for (int _mi = 0; _mi < MWI / VWM; _mi += 1) {
            // Loads data: local --> private (matrix A)
            if constexpr (SA == 1) {
              apm[_mi] = LocalToPrivateA(alm, _mi, kg);
            }
            // Loads data: off-chip --> private (matrix A)
            else {
              apm[_mi] = GlobalToPrivateA(agm, _mi, kSizeM, idk, kwg);
            }
          }

          // Loads data: local --> private (matrix B)
#pragma unroll
          for (int _ni = 0; _ni < NWI / VWN; _ni += 1) {
            if constexpr (SB == 1) {
              bpm[_ni] = LocalToPrivateB(blm, _ni, kg);
            }
            // Loads data: off-chip --> private (matrix B)
            else {
              bpm[_ni] = GlobalToPrivateB(bgm, _ni, kSizeN, idk);
            }
          }

          // Performs the accumulation (Cpm += Apm * Bpm)
#pragma unroll
          for (int _ni = 0; _ni < NWI / VWN; _ni += 1) {
#pragma unroll
            for (int _mi = 0; _mi < MWI / VWM; _mi += 1) {
              const realM aval = apm[_mi];
              if constexpr (VWN == 1) {
                XGEMM_MAD_N(0, );
              } else if constexpr (VWN == 2) {
                XGEMM_MAD_N(0, .x);
                XGEMM_MAD_N(1, .y);
              } else if constexpr (VWN == 4) {
                XGEMM_MAD_N(0, .x);
                XGEMM_MAD_N(1, .y);
                XGEMM_MAD_N(2, .z);
                XGEMM_MAD_N(3, .w);
              } else if constexpr (VWN == 8) {
                XGEMM_MAD_N(0, .s0);
                XGEMM_MAD_N(1, .s1);
                XGEMM_MAD_N(2, .s2);
                XGEMM_MAD_N(3, .s3);
                XGEMM_MAD_N(4, .s4);
                XGEMM_MAD_N(5, .s5);
                XGEMM_MAD_N(6, .s6);
                XGEMM_MAD_N(7, .s7);
              }
            }
          }
        }
      }
      if constexpr (SA == 1 || SB == 1) {
        __syncthreads();  // barrier(CLK_LOCAL_MEM_FENCE)
      }
    }

    // Stores an MWG * NWG tile of results and performs the multiplication with alpha and beta
#pragma unroll
    for (int _ni = 0; _ni < NWI; _ni += 1) {
#pragma unroll
      for (int _mi = 0; _mi < MWI / VWM; _mi += 1) {
        StoreResults(cgm, cpm[_ni * (MWI / VWM) + _mi], _mi, _ni, kSizeM, alpha, beta);
      }
    }
  }
#undef XGEMM_MAD_N

  // -------------------------------------------------------------------------- xgemm_part4.opencl ---

  // Main entry point of the kernel. This is the regular full version (the body of __kernel Xgemm).
  INLINE_FUNC void Xgemm(const int kSizeM, const int kSizeN, const int kSizeK, const real_arg arg_alpha, const real_arg arg_beta,
                         const realM* __restrict__ agm, const realN* __restrict__ bgm, realM* cgm) {
    const real alpha = GetRealArg(arg_alpha);
    const real beta = GetRealArg(arg_beta);

    // Allocates workgroup-private memory (local memory) and computes the matrix-multiplication
    if constexpr (SA == 1 && SB == 1) {
      __shared__ realM alm[KWG * MWG / VWM];
      __shared__ realN blm[KWG * NWG / VWN];
      XgemmBody(kSizeM, kSizeN, kSizeK, agm, bgm, cgm, alpha, beta, alm, blm);
    } else if constexpr (SA == 1) {
      __shared__ realM alm[KWG * MWG / VWM];
      XgemmBody(kSizeM, kSizeN, kSizeK, agm, bgm, cgm, alpha, beta, alm, nullptr);
    } else if constexpr (SB == 1) {
      __shared__ realN blm[KWG * NWG / VWN];
      XgemmBody(kSizeM, kSizeN, kSizeK, agm, bgm, cgm, alpha, beta, nullptr, blm);
    } else {
      XgemmBody(kSizeM, kSizeN, kSizeK, agm, bgm, cgm, alpha, beta, nullptr, nullptr);
    }
  }
};

// The register bound of each kernel: the block size, as CLBlast's reqd_work_group_size gives it; or, with
// -DXGEMM_MAXNREG=N (kt-ptxas.ts --maxnreg N), a cap of N registers per thread instead (63 is Kepler
// cc 3.0's limit), so that ptxas shows what it spills under a smaller register file than the target's.
#ifdef XGEMM_MAXNREG
#define XGEMM_BOUNDS(threads) __maxnreg__(XGEMM_MAXNREG)
#else
#define XGEMM_BOUNDS(threads) __launch_bounds__(threads)
#endif

// One kernel per configuration: XGEMM_KERNEL(MWG, NWG, KWG, MDIMC, NDIMC, MDIMA, NDIMB, KWI, VWM, VWN,
// STRM, STRN, SA, SB) defines extern "C" __global__ xgemm_MWG<..>_NWG<..>_..._SA<..>_SB<..>.
#define XGEMM_KERNEL(MWG, NWG, KWG, MDIMC, NDIMC, MDIMA, NDIMB, KWI, VWM, VWN, STRM, STRN, SA, SB)                                           \
  typedef XgemmConfig<MWG, NWG, KWG, MDIMC, NDIMC, MDIMA, NDIMB, KWI, VWM, VWN, STRM, STRN, SA, SB>                                          \
      xgemm_cfg_MWG##MWG##_NWG##NWG##_KWG##KWG##_MDIMC##MDIMC##_NDIMC##NDIMC##_MDIMA##MDIMA##_NDIMB##NDIMB##_KWI##KWI##_VWM##VWM##_VWN##VWN##_STRM##STRM##_STRN##STRN##_SA##SA##_SB##SB; \
  extern "C" __global__ void XGEMM_BOUNDS(MDIMC * NDIMC)                                                                                   \
      xgemm_MWG##MWG##_NWG##NWG##_KWG##KWG##_MDIMC##MDIMC##_NDIMC##NDIMC##_MDIMA##MDIMA##_NDIMB##NDIMB##_KWI##KWI##_VWM##VWM##_VWN##VWN##_STRM##STRM##_STRN##STRN##_SA##SA##_SB##SB( \
          const int kSizeM, const int kSizeN, const int kSizeK, const real_arg arg_alpha, const real_arg arg_beta,                          \
          const xgemm_cfg_MWG##MWG##_NWG##NWG##_KWG##KWG##_MDIMC##MDIMC##_NDIMC##NDIMC##_MDIMA##MDIMA##_NDIMB##NDIMB##_KWI##KWI##_VWM##VWM##_VWN##VWN##_STRM##STRM##_STRN##STRN##_SA##SA##_SB##SB::realM* __restrict__ agm, \
          const xgemm_cfg_MWG##MWG##_NWG##NWG##_KWG##KWG##_MDIMC##MDIMC##_NDIMC##NDIMC##_MDIMA##MDIMA##_NDIMB##NDIMB##_KWI##KWI##_VWM##VWM##_VWN##VWN##_STRM##STRM##_STRN##STRN##_SA##SA##_SB##SB::realN* __restrict__ bgm, \
          xgemm_cfg_MWG##MWG##_NWG##NWG##_KWG##KWG##_MDIMC##MDIMC##_NDIMC##NDIMC##_MDIMA##MDIMA##_NDIMB##NDIMB##_KWI##KWI##_VWM##VWM##_VWN##VWN##_STRM##STRM##_STRN##STRN##_SA##SA##_SB##SB::realM* cgm) { \
    xgemm_cfg_MWG##MWG##_NWG##NWG##_KWG##KWG##_MDIMC##MDIMC##_NDIMC##NDIMC##_MDIMA##MDIMA##_NDIMB##NDIMB##_KWI##KWI##_VWM##VWM##_VWN##VWN##_STRM##STRM##_STRN##STRN##_SA##SA##_SB##SB::Xgemm( \
        kSizeM, kSizeN, kSizeK, arg_alpha, arg_beta, agm, bgm, cgm);                                                                       \
  }

// Compiled on its own (nvcc -cubin -arch=sm_75 -Xptxas -v models/profiling/clblast-xgemm/xgemm.cu), this
// file builds two example configurations; kt-ptxas.ts defines XGEMM_BATCH and lists its own instances.
#ifndef XGEMM_BATCH
XGEMM_KERNEL(64, 64, 32, 8, 8, 8, 8, 2, 1, 1, 0, 0, 0, 0)
XGEMM_KERNEL(128, 128, 32, 16, 8, 16, 16, 2, 4, 4, 0, 0, 1, 1)
#endif
