#include "core/common/status.h"

namespace orrery {

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
