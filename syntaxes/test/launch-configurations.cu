// SYNTAX TEST "source.cuda-cpp" launch configurations and tilecast annotations in CUDA C++
// Each line of carets checks the scopes of the columns above it in the nearest source line;
// `- scope` means the scope must be absent there.
void host(float* dA, cudaStream_t stream, int n) {
  matmul_tiled<<<grid, block>>>(dA, dA, dA, 16, 16, 16);
//            ^^^ punctuation.section.launch-configuration.begin.tilecast meta.launch-configuration.tilecast
//               ^^^^ meta.launch-configuration.tilecast
//                   ^ punctuation.separator.launch-argument.tilecast
//                          ^^^ punctuation.section.launch-configuration.end.tilecast
//                             ^ - meta.launch-configuration.tilecast
  k<<<dim3(n / 16, n / 16), dim3(16, 16), 0, stream>>>(dA);
//        ^ punctuation.section.parens.begin.tilecast
//               ^ - punctuation.separator.launch-argument.tilecast
//                        ^ punctuation.separator.launch-argument.tilecast
//                                                 ^^^ punctuation.section.launch-configuration.end.tilecast
  k<<<(n > 1 ? n : 1), 256>>>(dA);
//       ^ meta.launch-configuration.tilecast - punctuation.section.launch-configuration.end.tilecast
//                   ^ punctuation.separator.launch-argument.tilecast
//                        ^^^ punctuation.section.launch-configuration.end.tilecast
  gemm<128, 64><<<grid, block, 0>>>(dA);
//             ^^^ punctuation.section.launch-configuration.begin.tilecast
//                              ^^^ punctuation.section.launch-configuration.end.tilecast
  k<<<grid,
      block>>>(dA);
//    ^^^^^ meta.launch-configuration.tilecast
//         ^^^ punctuation.section.launch-configuration.end.tilecast
  int shifted = n << 2;
//                ^^ - meta.launch-configuration.tilecast
  printf("<<<not a launch>>>");
//         ^^^ string.quoted.double.cuda-cpp - meta.launch-configuration.tilecast
  /* k<<<1, 1>>>(dA); */
//      ^^^ comment.block.cuda-cpp - meta.launch-configuration.tilecast
  // tilecast: M=4096 N=4096 K=512 dtype=fp16
//   ^^^^^^^^ keyword.other.annotation.tilecast comment.line.double-slash.tilecast
//             ^ variable.parameter.tilecast
//              ^ keyword.operator.assignment.tilecast
//               ^^^^ constant.numeric.integer.tilecast
//                                 ^^^^^ variable.parameter.tilecast
//                                       ^^^^ support.type.dtype.tilecast
  k<<<1, 1>>>(dA); // tilecast: M=64 N=32 K=16 batch=8 bogus=1
//                    ^^^^^^^^ keyword.other.annotation.tilecast
//                                             ^^^^^ variable.parameter.tilecast
//                                                     ^^^^^^^ invalid.illegal.annotation-entry.tilecast
  // a comment that mentions tilecast: M=1 is not an annotation
//                           ^^^^^^^^ comment.line.double-slash.cuda-cpp - keyword.other.annotation.tilecast
}
