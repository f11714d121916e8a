# Build of the native backend addon (C++17, N-API via node-addon-api, oneDNN + OpenMP). Run by scripts/build-native.mjs.
{
  "targets": [
    {
      "target_name": "convkit_native",
      "sources": [
        "native/addon.cc",
        "native/addon_misc.cc",
        "native/conv.cc",
        "native/conv_small.cc",
        "native/dense.cc",
        "native/pool.cc",
        "native/batch_norm.cc",
        "native/eltwise.cc",
        "native/loss.cc",
        "native/optim.cc",
        "native/random.cc",
        "native/image.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++1y", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-march=<!(node -p \"process.env.CONVKIT_MARCH || 'native'\")", "-fopenmp", "-fexceptions", "-Wall", "-Wno-unused-parameter"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl"],
      "conditions": [
        ["OS=='mac'", {
          "xcode_settings": {"GCC_ENABLE_CPP_EXCEPTIONS": "YES", "CLANG_CXX_LANGUAGE_STANDARD": "c++17", "OTHER_CPLUSPLUSFLAGS": ["-Xpreprocessor", "-fopenmp"]}
        }]
      ]
    }
  ]
}
