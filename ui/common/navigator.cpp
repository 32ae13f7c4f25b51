#include "ui/common/navigator.h"

#include <QWidget>

namespace orrery::ui {

Navigator::Navigator(QObject *parent) : QObject(parent)
{
}

void Navigator::registerHandler(const QString &kind, QWidget *area, Handler handler)
{
    m_handlers.insert(kind, Entry{area, std::move(handler)});
}

bool Navigator::canOpen(const QString &kind) const
{
    const auto it = m_handlers.constFind(kind);
    return it != m_handlers.cend() && it->area && it->handler;
}

bool Navigator::open(const ObjectRef &ref)
{
    if (!canOpen(ref.kind))
        return false;
    // Copied: a slot of opening() may register handlers again (an area created on demand).
    const Entry entry = m_handlers.value(ref.kind);
    Q_EMIT opening(ref, entry.area);
    if (entry.area) // the shell's slot could, in principle, have closed the area
        entry.handler(ref);
    return true;
}

} // namespace orrery::ui
