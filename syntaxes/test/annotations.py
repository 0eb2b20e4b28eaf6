# SYNTAX TEST "source.python" tilecast annotations in Python (Triton)
import triton

# tilecast: M=4096 N=4096 K=4096 dtype=bf16
# ^^^^^^^^ keyword.other.annotation.tilecast comment.line.number-sign.tilecast
#           ^ variable.parameter.tilecast
#             ^^^^ constant.numeric.integer.tilecast
#                                      ^^^^ support.type.dtype.tilecast
matmul_kernel[grid](a, b, c, M, N, K)  # tilecast: m=128 n=128 k=64
#                                        ^^^^^^^^ keyword.other.annotation.tilecast
#                                                  ^ variable.parameter.tilecast
#                                                    ^^^ constant.numeric.integer.tilecast
label = "# tilecast: M=1"
#          ^^^^^^^^ string.quoted.single.python - keyword.other.annotation.tilecast
# see the tilecast: docs
#         ^^^^^^^^ comment.line.number-sign.python - keyword.other.annotation.tilecast
