{
  "targets": [
    {
      "target_name": "flint_native",
      "sources": [
        "native/addon.cc",
        "native/args.cc",
        "native/export.cc",
        "native/bind_gemm.cc",
        "native/small_gemm.cc",
        "native/bind_conv.cc",
        "native/conv.cc",
        "native/batchnorm.cc",
        "native/batchnorm_avx512.cc",
        "native/conv_depthwise.cc",
        "native/conv_depthwise_avx512.cc",
        "native/conv_batched.cc",
        "native/conv_direct.cc",
        "native/conv_direct_avx512.cc",
        "native/conv3x3.cc",
        "native/conv3x3_avx512.cc",
        "native/conv3x3_small_avx512.cc",
        "native/conv_strided.cc",
        "native/conv_strided_avx512.cc",
        "native/conv_dense.cc",
        "native/conv_eval.cc",
        "native/conv_eval_avx512.cc",
        "native/conv_pointwise.cc",
        "native/conv_pointwise_avx512.cc",
        "native/im2col.cc",
        "native/im2col_avx512.cc",
        "native/bind_pool.cc",
        "native/pool.cc",
        "native/bind_ops.cc",
        "native/copy.cc",
        "native/rnn_cell.cc",
        "native/rnn_layer.cc",
        "native/bind_rnn.cc",
        "native/elementwise.cc",
        "native/elementwise_base.cc",
        "native/elementwise_avx2.cc",
        "native/elementwise_avx512.cc",
        "native/rowops.cc",
        "native/optim.cc",
        "native/threadpool.cc",
        "native/scratch.cc",
        "native/storage.cc",
        "native/gemm.cc",
        "native/gemm_avx512.cc",
        "native/gemm_avx2.cc",
        "native/gemm_wasm_simd128.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags": ["-O3", "-fno-math-errno", "-ffp-contract=off", "-fvisibility=hidden"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-fno-math-errno", "-ffp-contract=off"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3", "-fno-math-errno", "-ffp-contract=off"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1 } }
    }
  ],
  "conditions": [
    ["<!(node scripts/has-gloo.cjs)==1", {
      "targets": [
        {
          "target_name": "flint_gloo",
          "sources": ["native/gloo/addon.cc", "native/gloo/tcp_store.cc", "native/gloo/process_group.cc"],
          "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
          "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
          "cflags!": ["-fno-exceptions"],
          "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
          "cflags": ["-O2", "-fvisibility=hidden"],
          "cflags_cc": ["-std=c++17", "-fexceptions", "-O2"],
          "libraries": ["-lgloo", "-pthread"],
          "ldflags": ["-pthread"]
        }
      ]
    }]
  ]
}
