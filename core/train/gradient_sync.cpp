#include "core/train/gradient_sync.h"

#include "core/common/route_source.h"

// ProcessGroupGloo.hpp is wrapped in USE_C10D_GLOO, which TorchConfig does not set (PLATFORM.md).
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>


namespace orrery::train {

struct GradientSync::Impl {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

GradientSync::~GradientSync() = default;

Result<std::unique_ptr<GradientSync>> GradientSync::connect(const DistributedConfig &c)
{
    if (c.worldSize < 1 || c.rank < 0 || c.rank >= c.worldSize)
        return invalidArgument(QStringLiteral("rank %1 is outside a world of %2 processes").arg(c.rank).arg(c.worldSize));
    if (c.masterPort < 1 || c.masterPort > 65535)
        return invalidArgument(QStringLiteral("the master port %1 is not a TCP port").arg(c.masterPort));
    std::unique_ptr<GradientSync> s(new GradientSync);
    s->d = std::make_unique<Impl>();
    s->m_rank = c.rank;
    s->m_world = c.worldSize;
    // Gloo's pairs bind to the address each rank advertises to the others. The default is the
    // local address the kernel routes to the master from (loopback for a loopback master), which
    // the master and every rank on its network can reach; the host name's address (Gloo's default
    // device) is 127.0.1.1 on stock Debian and fails across machines. ORRERY_GLOO_IFACE names an
    // interface instead, for hosts whose route to the master is not the network the ranks talk
    // over. Chosen before the rendezvous, so that a rank that cannot choose never keeps the others
    // waiting there.
    const QString iface = QString::fromLocal8Bit(qgetenv("ORRERY_GLOO_IFACE"));
    QString localAddress, bindDescription;
    if (!iface.isEmpty()) {
        bindDescription = QStringLiteral("interface %1 (ORRERY_GLOO_IFACE)").arg(iface);
    } else {
        auto local = common::localAddressTowards(c.masterHost, c.masterPort);
        if (!local)
            return local.status().withContext(QStringLiteral("rank %1 of %2 cannot choose the address to bind Gloo to (set ORRERY_GLOO_IFACE "
                                                             "to the network interface that reaches the other ranks)")
                                                  .arg(c.rank).arg(c.worldSize));
        localAddress = *local;
        bindDescription = QStringLiteral("%1 (the address that routes to the master; ORRERY_GLOO_IFACE=<interface> binds another)").arg(localAddress);
    }
    try {
        c10d::TCPStoreOptions o;
        o.port = std::uint16_t(c.masterPort);
        o.isServer = c.rank == 0;
        o.numWorkers = size_t(c.worldSize);
        o.waitWorkers = true;
        o.timeout = std::chrono::seconds(c.timeoutSeconds);
        s->d->store = c10::make_intrusive<c10d::TCPStore>(c.masterHost.toStdString(), o);
        auto options = c10d::ProcessGroupGloo::Options::create();
        options->timeout = std::chrono::seconds(c.timeoutSeconds);
        options->devices.push_back(iface.isEmpty() ? c10d::ProcessGroupGloo::createDeviceForHostname(localAddress.toStdString())
                                                   : c10d::ProcessGroupGloo::createDeviceForInterface(iface.toStdString()));
        s->d->group = c10::make_intrusive<c10d::ProcessGroupGloo>(s->d->store, c.rank, c.worldSize, options);
    } catch (const std::exception &e) {
        return ioError(QStringLiteral("rank %1 of %2 could not join the master at %3:%4 with Gloo bound to %5: %6")
                           .arg(c.rank).arg(c.worldSize).arg(c.masterHost).arg(c.masterPort).arg(bindDescription)
                           .arg(QString::fromStdString(e.what()).section(QLatin1Char('\n'), 0, 0)));
    }
    return s;
}

Status GradientSync::allReduceSum(at::Tensor &flat)
{
    try {
        std::vector<at::Tensor> tensors{flat};
        auto work = d->group->allreduce(tensors);
        work->wait();
        return Status::ok();
    } catch (const std::exception &e) {
        return ioError(QStringLiteral("all-reduce failed on rank %1 (did another rank stop?): %2")
                           .arg(m_rank).arg(QString::fromStdString(e.what()).section(QLatin1Char('\n'), 0, 0)));
    }
}

Status GradientSync::barrier()
{
    try {
        d->group->barrier()->wait();
        return Status::ok();
    } catch (const std::exception &e) {
        return ioError(QStringLiteral("barrier failed on rank %1: %2").arg(m_rank).arg(QString::fromStdString(e.what()).section(QLatin1Char('\n'), 0, 0)));
    }
}

} // namespace orrery::train
