#include "formats/hdf5/Hdf5Handle.h"

#include <new>

namespace ckpt::hdf5 {

void quietErrors();

namespace {
std::recursive_mutex& theMutex()
{
    static std::recursive_mutex m;
    return m;
}
} // namespace

std::recursive_mutex& mutex()
{
    quietErrors(); // every thread that calls HDF5 comes through here first
    return theMutex();
}

void renewMutexInForkedChild()
{
    new (&theMutex()) std::recursive_mutex;
}

void quietErrors()
{
    // libhdf5 closes files still open at exit; one whose writes failed (a full disk, the file
    // size limit) cannot be closed and that exit handler crashes. Files are closed by their
    // handles, so the handler has nothing to do: it is turned off before the library starts.
    static const bool noExitHandler = (H5dont_atexit(), true);
    (void)noExitHandler;
    // The automatic error printing is per thread in thread-safe HDF5 builds.
    thread_local bool quiet = false;
    if (!quiet) {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        quiet = true;
    }
}

std::string lastError()
{
    std::string message;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_DOWNWARD,
        [](unsigned n, const H5E_error2_t* err, void* data) -> herr_t {
            auto* out = static_cast<std::string*>(data);
            if (err && err->desc && *err->desc) // keep the innermost description
                *out = err->desc;
            // A failed system call is described with its time, descriptor and buffer: keep
            // only the system's message ("File too large", "No space left on device").
            const auto message = out->find("error message = '");
            if (message != std::string::npos) {
                const auto start = message + 17;
                *out = out->substr(start, out->find('\'', start) - start);
            }
            (void)n;
            return 0;
        },
        &message);
    H5Eclear2(H5E_DEFAULT);
    return message;
}

void Handle::reset()
{
    if (id_ < 0)
        return;
    std::lock_guard lock(mutex());
    switch (H5Iget_type(id_)) {
    case H5I_FILE:
        H5Fclose(id_);
        break;
    case H5I_GROUP:
        H5Gclose(id_);
        break;
    case H5I_DATASET:
        H5Dclose(id_);
        break;
    case H5I_DATASPACE:
        H5Sclose(id_);
        break;
    case H5I_DATATYPE:
        H5Tclose(id_);
        break;
    case H5I_ATTR:
        H5Aclose(id_);
        break;
    case H5I_GENPROP_LST:
        H5Pclose(id_);
        break;
    default:
        break;
    }
    id_ = H5I_INVALID_HID;
}

} // namespace ckpt::hdf5
