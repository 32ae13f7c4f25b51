#pragma once
// Status and Result<T>: how every core API reports failure. No exceptions cross the core API;
// adapters around SQLite, libgit2 and LibTorch turn their failures into a Status with a code a
// caller can branch on and a message a person can act on (what, where, and how to fix it).

#include <QString>

#include <cstdlib>
#include <optional>
#include <type_traits>
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

// A broken invariant that the program can survive (in the spirit of Qt Creator's QTC_ASSERT):
// logs "SOFT ASSERT" with the condition, the place and the details on stderr, counts it (tests
// check the count), and returns so that the caller can take its way out. Never for input a user or
// a peer controls: that gets a Status.
void softAssertFailed(const char *condition, const char *file, int line, const QString &details = QString());
int softAssertCount();

// A value or the Status saying why there is none. Reading the value of an error is a bug: it is
// reported as a soft assertion and, for a default-constructible T, answered with T() instead of
// undefined behaviour (other types abort after the report).
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

    T &value() & { return checked(); }
    const T &value() const & { return checked(); }
    T &&value() && { return std::move(checked()); }
    T *operator->() { return &checked(); }
    const T *operator->() const { return &checked(); }
    T &operator*() & { return checked(); }
    const T &operator*() const & { return checked(); }
    // By value from a temporary, so `for (auto &x : *f())` does not dangle.
    T operator*() && { return std::move(checked()); }

private:
    T &checked() const
    {
        if (!m_value) [[unlikely]] {
            softAssertFailed("Result::value() on a Result that holds an error", __FILE__, __LINE__, m_status.toString());
            if constexpr (std::is_default_constructible_v<T>)
                m_value.emplace();
            else
                std::abort();
        }
        return *m_value;
    }
    mutable std::optional<T> m_value; // mutable: checked() stands in a T() for a missing value
    Status m_status;
};

} // namespace orrery

// Checks `cond`; when it is false, reports a soft assertion (softAssertFailed) and runs `action`
// — usually a return:  ORRERY_ASSERT(index < size(), return QString());
#define ORRERY_ASSERT(cond, action)                                                                \
    if (Q_LIKELY(cond)) {                                                                          \
    } else {                                                                                       \
        ::orrery::softAssertFailed(#cond, __FILE__, __LINE__);                                     \
        action;                                                                                    \
    }                                                                                              \
    do {                                                                                           \
    } while (0)

// `lhs = value of expr`, or return expr's Status from the enclosing function (which returns Status
// or a Result):  ORRERY_ASSIGN_OR_RETURN(auto db, store::Database::open(path));
// The Result is moved from; lhs is the value itself, not a Result.
#define ORRERY_ASSIGN_OR_RETURN(lhs, expr) ORRERY_ASSIGN_OR_RETURN_IMPL(ORRERY_CONCAT(orrery_result_, __LINE__), lhs, expr)
#define ORRERY_ASSIGN_OR_RETURN_IMPL(result, lhs, expr)                                            \
    auto result = (expr);                                                                          \
    if (!result.isOk())                                                                            \
        return result.status();                                                                    \
    lhs = std::move(result).value()
#define ORRERY_CONCAT(a, b) ORRERY_CONCAT_INNER(a, b)
#define ORRERY_CONCAT_INNER(a, b) a##b

// Return early from a function returning Status or Result<T> when `expr` failed.
#define ORRERY_TRY(expr)                                                                           \
    do {                                                                                           \
        ::orrery::Status orrery_try_status_ = (expr);                                              \
        if (!orrery_try_status_.isOk())                                                            \
            return orrery_try_status_;                                                             \
    } while (0)
