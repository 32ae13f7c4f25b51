#pragma once
// Status and Result<T>: how every core API reports failure. No exceptions cross the core API;
// adapters around SQLite, libgit2 and LibTorch turn their failures into a Status with a code a
// caller can branch on and a message a person can act on (what, where, and how to fix it).

#include <QString>

#include <optional>
#include <utility>

namespace orrery {

enum class ErrorCode {
    Ok = 0,
    InvalidArgument,    // the caller's input is wrong (bad path, bad value, usage)
    NotFound,           // a named thing does not exist
    AlreadyExists,      // creating something that is there
    Busy,               // another process holds what is needed (lock, database)
    Corrupt,            // stored data fails its own checks
    Io,                 // the operating system refused (disk full, read-only, permissions)
    Unsupported,        // written by a newer Orrery, or a feature not built
    FailedPrecondition, // the state does not allow the operation now
    Cancelled,          // the user or a caller cancelled
    Internal,           // a bug: an invariant that must hold did not
};

const char *errorCodeName(ErrorCode code);

class [[nodiscard]] Status {
public:
    Status() = default;
    Status(ErrorCode code, QString message) : m_code(code), m_message(std::move(message)) {}

    static Status ok() { return {}; }

    bool isOk() const { return m_code == ErrorCode::Ok; }
    explicit operator bool() const { return isOk(); }
    ErrorCode code() const { return m_code; }
    const QString &message() const { return m_message; }

    // "context: message" — adds where the failure happened, keeps the code.
    Status withContext(const QString &context) const;
    // "<code name>: message", for logs.
    QString toString() const;

private:
    ErrorCode m_code = ErrorCode::Ok;
    QString m_message;
};

inline Status invalidArgument(QString m) { return {ErrorCode::InvalidArgument, std::move(m)}; }
inline Status notFound(QString m) { return {ErrorCode::NotFound, std::move(m)}; }
inline Status ioError(QString m) { return {ErrorCode::Io, std::move(m)}; }
inline Status corrupt(QString m) { return {ErrorCode::Corrupt, std::move(m)}; }
inline Status busy(QString m) { return {ErrorCode::Busy, std::move(m)}; }
inline Status cancelled(QString m = QStringLiteral("cancelled")) { return {ErrorCode::Cancelled, std::move(m)}; }
inline Status internalError(QString m) { return {ErrorCode::Internal, std::move(m)}; }

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_value(std::move(value)) {}
    Result(Status status) : m_status(std::move(status))
    {
        if (m_status.isOk())
            m_status = internalError(QStringLiteral("Result constructed from an ok Status without a value"));
    }

    bool isOk() const { return m_value.has_value(); }
    explicit operator bool() const { return isOk(); }
    const Status &status() const { return m_status; }

    T &value() & { return *m_value; }
    const T &value() const & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    T *operator->() { return &*m_value; }
    const T *operator->() const { return &*m_value; }
    T &operator*() & { return *m_value; }
    const T &operator*() const & { return *m_value; }
    // By value from a temporary, so `for (auto &x : *f())` does not dangle.
    T operator*() && { return std::move(*m_value); }

private:
    std::optional<T> m_value;
    Status m_status;
};

} // namespace orrery

// Return early from a function returning Status or Result<T> when `expr` failed.
#define ORRERY_TRY(expr)                                                                           \
    do {                                                                                           \
        ::orrery::Status orrery_try_status_ = (expr);                                              \
        if (!orrery_try_status_.isOk())                                                            \
            return orrery_try_status_;                                                             \
    } while (0)
