#pragma once
// The LibTorch runtime as the rest of Orrery sees it, without torch headers: its version and the
// thread count (LibTorch reports 1 thread here by default; trainers set it explicitly).

#include <QString>

namespace orrery::train {

QString torchRuntimeVersion();
int torchThreads();
void setTorchThreads(int threads);

} // namespace orrery::train
