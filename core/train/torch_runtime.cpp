#include "core/train/torch_runtime.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

namespace orrery::train {

QString torchRuntimeVersion()
{
    return QStringLiteral(TORCH_VERSION);
}

int torchThreads()
{
    return at::get_num_threads();
}

void setTorchThreads(int threads)
{
    if (threads > 0)
        at::set_num_threads(threads);
}

} // namespace orrery::train
