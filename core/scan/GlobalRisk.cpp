#include "scan/GlobalRisk.h"

#include <set>
#include <vector>

namespace ckpt {

namespace {

// Modules whose every name runs code, commands or imports, or reaches what does.
const std::set<std::string, std::less<>>& unsafeModules()
{
    static const std::set<std::string, std::less<>> modules
        = { "os", "posix", "nt", "subprocess", "sys", "runpy", "importlib", "pip", "setuptools", "pkg_resources",
              "shutil", "socket", "ctypes", "code", "codeop", "pty", "commands", "popen2", "webbrowser",
              "multiprocessing", "asyncio", "pickle", "_pickle", "cPickle", "marshal", "dill", "cloudpickle", "joblib",
              "types", "timeit", "pdb", "bdb", "cProfile", "profile", "trace", "threading", "_thread", "signal",
              "urllib", "urllib2", "http", "httplib", "requests", "ftplib", "smtplib", "telnetlib", "tempfile", "glob",
              "io", "_io", "zipimport", "torch.hub", "torch.jit", "torch.package", "torch._dynamo", "numpy.testing",
              "numpy.f2py", "numpy.distutils", "distutils", "builtins.__builtins__", "operator", "functools" };
    return modules;
}

// builtins that run code, import, reach attributes or touch files.
const std::set<std::string, std::less<>>& unsafeBuiltins()
{
    static const std::set<std::string, std::less<>> names
        = { "eval", "exec", "execfile", "compile", "__import__", "getattr", "setattr", "delattr", "open", "input",
              "raw_input", "breakpoint", "globals", "locals", "vars", "exit", "quit", "help", "apply", "reload", "file",
              "__loader__", "__spec__", "memoryview", "type", "super", "classmethod", "staticmethod", "property" };
    return names;
}

// What torch.load(weights_only=True) and numpy's array reconstruction allow.
bool isSafe(std::string_view q)
{
    static const std::set<std::string, std::less<>> safe = { "collections.OrderedDict", "builtins.set",
        "builtins.frozenset", "builtins.bytearray", "builtins.complex", "builtins.slice", "builtins.range",
        "builtins.bytes", "builtins.int", "builtins.float", "builtins.bool", "builtins.str", "builtins.tuple",
        "builtins.list", "builtins.dict", "_codecs.encode", "torch.Size", "torch.Tensor", "torch.device",
        "torch.nn.parameter.Parameter", "torch.serialization._get_layout", "torch._tensor._rebuild_from_type_v2",
        "torch.storage._load_from_bytes", "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
        "numpy.ndarray", "numpy.dtype", "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar" };
    if (safe.count(q))
        return true;
    // torch._utils._rebuild_tensor, _rebuild_tensor_v2, _rebuild_parameter, _rebuild_sparse_tensor, ...
    if (q.rfind("torch._utils._rebuild_", 0) == 0)
        return true;
    // torch.FloatStorage, torch.storage.UntypedStorage, torch.float32, torch.bfloat16, ... and numpy's
    // dtype classes (numpy.dtypes.Float32DType): data types, no code.
    for (std::string_view prefix : { "torch.", "torch.storage.", "numpy.dtypes." }) {
        if (q.rfind(prefix, 0) != 0)
            continue;
        const std::string_view rest = q.substr(prefix.size());
        if (rest.find('.') != std::string_view::npos)
            continue;
        if (rest.size() > 7 && rest.substr(rest.size() - 7) == "Storage")
            return true;
        static const std::set<std::string, std::less<>> dtypes
            = { "float16", "float32", "float64", "bfloat16", "half", "float", "double", "int8", "int16", "int32",
                  "int64", "uint8", "bool", "complex64", "complex128", "cfloat", "cdouble", "long", "int", "short",
                  "float8_e4m3fn", "float8_e5m2", "qint8", "quint8", "qint32", "uint16", "uint32", "uint64" };
        if (dtypes.count(rest)
            || (prefix == "numpy.dtypes." && rest.size() > 5 && rest.substr(rest.size() - 5) == "DType"))
            return true;
    }
    return false;
}

std::vector<std::string> components(std::string_view dotted)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t dot; (dot = dotted.find('.', start)) != std::string_view::npos; start = dot + 1)
        parts.emplace_back(dotted.substr(start, dot - start));
    parts.emplace_back(dotted.substr(start));
    return parts;
}

// Whether `module` (or a package above it) is an unsafe module: "importlib.util", "os.path".
std::string unsafeModuleOf(std::string_view module)
{
    std::string prefix;
    for (const auto& part : components(module)) {
        prefix += prefix.empty() ? part : "." + part;
        if (unsafeModules().count(prefix))
            return prefix;
    }
    return {};
}

GlobalRisk classifyPlain(const std::string& module, const std::string& name)
{
    const std::string q = module + "." + name;
    if (module == "builtins") {
        if (unsafeBuiltins().count(name))
            return { Risk::Unsafe, "a builtin that runs code, imports or reaches attributes", q };
        return isSafe(q) ? GlobalRisk { Risk::Safe, {}, q }
                         : GlobalRisk { Risk::Unknown, "not in the safe loaders' table", q };
    }
    if (const std::string unsafe = unsafeModuleOf(module); !unsafe.empty())
        return { Risk::Unsafe, "from " + unsafe + ", which runs commands or code", q };
    if (isSafe(q))
        return { Risk::Safe, {}, q };
    // Anything that says what it does: numpy.testing's runstring, a "system" or "exec" anywhere.
    for (std::string_view word : { "system", "popen", "spawn", "exec", "eval", "run_code", "runstring", "load_module" })
        if (name.find(word) != std::string::npos)
            return { Risk::Unsafe, "its name says it runs code (" + std::string(word) + ")", q };
    return { Risk::Unknown, "not in the safe loaders' table", q };
}

} // namespace

std::string_view riskName(Risk risk)
{
    switch (risk) {
    case Risk::Safe:
        return "safe";
    case Risk::Unknown:
        return "unknown";
    case Risk::Unsafe:
        return "unsafe";
    }
    return "unknown";
}

GlobalRisk classifyGlobal(std::string_view moduleIn, std::string_view nameIn)
{
    std::string module(moduleIn == "__builtin__" ? "builtins" : moduleIn == "copy_reg" ? "copyreg" : moduleIn);
    if (module == "posix" || module == "nt")
        module = "os";
    const std::string name(nameIn);
    if (name.find('.') == std::string::npos)
        return classifyPlain(module, name);
    // A dotted name is getattr(module, a).b...: it reaches whatever those attributes hold. A
    // component naming an unsafe module (torch.serialization.os) restarts the chain there.
    const auto parts = components(module + "." + name);
    for (std::size_t i = parts.size() - 1; i-- > 0;) {
        std::string tail;
        for (std::size_t k = i + 1; k < parts.size(); ++k)
            tail += (tail.empty() ? "" : ".") + parts[k];
        if (unsafeModules().count(parts[i]) || parts[i] == "builtins" || parts[i] == "__builtins__") {
            GlobalRisk inner = classifyPlain(parts[i] == "__builtins__" ? "builtins" : parts[i], tail);
            inner.risk = Risk::Unsafe;
            inner.why = "a dotted name Python resolves through " + parts[i] + " to " + inner.resolved;
            return inner;
        }
    }
    GlobalRisk plain = classifyPlain(module, name);
    if (plain.risk == Risk::Safe)
        plain = { Risk::Unknown, "a dotted name (getattr chain) the safe loaders refuse", plain.resolved };
    return plain;
}

} // namespace ckpt
