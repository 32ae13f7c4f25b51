#include "core/common/status.h"

#include <atomic>
#include <cstdio>

namespace orrery {

namespace {
std::atomic<int> g_softAsserts{0};
}

void softAssertFailed(const char *condition, const char *file, int line, const QString &details)
{
    ++g_softAsserts;
    std::fprintf(stderr, "SOFT ASSERT: \"%s\" in %s:%d%s%s\n", condition, file, line, details.isEmpty() ? "" : ": ",
                 details.toUtf8().constData());
    std::fflush(stderr);
}

int softAssertCount()
{
    return g_softAsserts.load();
}

const char *errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::Ok: return "ok";
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::NotFound: return "not found";
    case ErrorCode::AlreadyExists: return "already exists";
    case ErrorCode::Busy: return "busy";
    case ErrorCode::Corrupt: return "corrupt";
    case ErrorCode::Io: return "i/o error";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::FailedPrecondition: return "failed precondition";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::Internal: return "internal error";
    }
    return "unknown";
}

Status Status::withContext(const QString &context) const
{
    if (isOk())
        return *this;
    return {m_code, context + QStringLiteral(": ") + m_message};
}

QString Status::toString() const
{
    if (isOk())
        return QStringLiteral("ok");
    return QString::fromLatin1(errorCodeName(m_code)) + QStringLiteral(": ") + m_message;
}

} // namespace orrery
