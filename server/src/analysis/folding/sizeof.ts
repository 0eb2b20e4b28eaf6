// Sizes in bytes of the element types GEMM kernels use, for `sizeof(T)` and `__shared__` arrays.
// Pure lookup; it must not guess sizes of user-defined types (those return null).

/**
 * Sizes per the CUDA C++ Programming Guide, "Built-in Vector Types", and the usual LP64 ABI. Kept in
 * a Map: a plain object would answer `sizeof(constructor)` with Object.prototype's function.
 */
const SIZE_BYTES = new Map<string, number>(
  Object.entries({
    char: 1,
    'signed char': 1,
    'unsigned char': 1,
    int8_t: 1,
    uint8_t: 1,
    bool: 1,
    __nv_fp8_e4m3: 1,
    __nv_fp8_e5m2: 1,
    'cutlass::float_e4m3_t': 1,
    'cutlass::float_e5m2_t': 1,
    short: 2,
    'unsigned short': 2,
    int16_t: 2,
    uint16_t: 2,
    half: 2,
    __half: 2,
    __nv_bfloat16: 2,
    nv_bfloat16: 2,
    'cutlass::half_t': 2,
    'cutlass::bfloat16_t': 2,
    int: 4,
    unsigned: 4,
    'unsigned int': 4,
    int32_t: 4,
    uint32_t: 4,
    float: 4,
    half2: 4,
    __half2: 4,
    __nv_bfloat162: 4,
    'cutlass::tfloat32_t': 4,
    char4: 4,
    uchar4: 4,
    long: 8,
    'unsigned long': 8,
    'long long': 8,
    'unsigned long long': 8,
    int64_t: 8,
    uint64_t: 8,
    size_t: 8,
    double: 8,
    float2: 8,
    int2: 8,
    uint2: 8,
    float3: 12,
    int3: 12,
    float4: 16,
    int4: 16,
    uint4: 16,
    double2: 16,
    double4: 32,
  }),
);

/** Size of a basic or CUDA vector type, or null when unknown (structs, template parameters). */
export function sizeOfType(typeName: string): number | null {
  // Most names are already a table key (`float`, `half`); normalising would give the same key.
  const direct = SIZE_BYTES.get(typeName);
  if (direct !== undefined) return direct;
  const normalised = typeName
    .replace(/\b(const|volatile|__restrict__|__restrict|restrict|struct)\b/g, ' ')
    .replace(/^\s*(::)?std::/, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (normalised.endsWith('*')) return 8;
  return SIZE_BYTES.get(normalised) ?? null;
}
