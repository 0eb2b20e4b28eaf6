# Names a Triton kernel file refers to at import time (tests only).
constexpr = "constexpr"
float32 = "float32"
float16 = "float16"
