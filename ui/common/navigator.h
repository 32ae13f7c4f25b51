#pragma once
// Navigator: how one area opens another area's object without including it — a run opens in
// Experiments, later a dataset in Data, a model version in Registry, a deployment in Deployments.
//
// Areas never include each other nor the shell (ui/CMakeLists.txt), yet their objects refer to
// each other: a stage's run is a run of the Experiments area. So the area that shows a kind of
// object registers a handler for that kind, and whoever has a reference calls open(). The shell
// owns the one Navigator, hands it to each area at construction, and on opening() brings the
// handling area to the front before the handler shows the object.
//
// Kinds are plain strings, so a new area adds kinds without changing this file; ids are what the
// handling area understands:
//   "run"             a tracked run's id (32 hex digits)            Experiments
//
// A kind has at most one handler: a later registration replaces the earlier one. A handler lives
// as long as the area it was registered with; once that area is destroyed its kinds no longer
// open.
//
// Threads: GUI thread only.

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

class QWidget;

namespace orrery::ui {

// What to open: the kind of object and its id within that kind.
struct ObjectRef {
    QString kind;
    QString id;

    bool operator==(const ObjectRef &other) const { return kind == other.kind && id == other.id; }
};

class Navigator : public QObject {
    Q_OBJECT
public:
    using Handler = std::function<void(const ObjectRef &)>;

    explicit Navigator(QObject *parent = nullptr);

    // Objects of `kind` open in `area` (the area's page in the window), shown by `handler`.
    void registerHandler(const QString &kind, QWidget *area, Handler handler);
    // Whether an object of `kind` can be opened now (callers hide links that would go nowhere).
    bool canOpen(const QString &kind) const;
    // Emits opening(), then lets the kind's handler show the object. False, and nothing happens,
    // when no living area handles the kind.
    bool open(const ObjectRef &ref);

Q_SIGNALS:
    // Before the handler runs: the shell shows `area`.
    void opening(const orrery::ui::ObjectRef &ref, QWidget *area);

private:
    struct Entry {
        QPointer<QWidget> area;
        Handler handler;
    };
    QHash<QString, Entry> m_handlers;
};

} // namespace orrery::ui

Q_DECLARE_METATYPE(orrery::ui::ObjectRef)
