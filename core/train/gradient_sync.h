#pragma once
// GradientSync: torch.distributed's Gloo backend as data-parallel training needs it — a TCPStore
// rendezvous at the master's host:port (rank 0 serves it), then one all-reduce (sum) of a flat
// float tensor per step. Internal to core/train (its users include torch anyway); the Gloo
// headers stay in gradient_sync.cpp, the one file compiled with USE_C10D_GLOO.
//
// Why no DistributedDataParallel: LibTorch has none in C++; flattening every gradient into one
// buffer makes a single all-reduce per step, which is what DDP's bucketing amounts to for
// models this size.
//
// Threads: one GradientSync per training thread; calls block until every rank made them.

#include "core/common/status.h"
#include "core/train/trainer.h"

#include <memory>

namespace at {
class Tensor;
}

namespace orrery::train {

class GradientSync {
public:
    ~GradientSync();
    // Blocks until all `worldSize` ranks joined (or the timeout passed: Io naming the master).
    static Result<std::unique_ptr<GradientSync>> connect(const DistributedConfig &config);
    // In place: every rank ends with the elementwise sum over all ranks.
    Status allReduceSum(at::Tensor &flat);
    Status barrier();
    int rank() const { return m_rank; }
    int worldSize() const { return m_world; }

private:
    GradientSync() = default;
    struct Impl;
    std::unique_ptr<Impl> d;
    int m_rank = 0;
    int m_world = 1;
};

} // namespace orrery::train
