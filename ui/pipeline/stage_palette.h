#pragma once
// StagePalette: the stage types a pipeline can use — the built-in ones from the StageRegistry and
// "command" (any shell command) — in a list filtered as the user types (name, summary, docs). An
// entry is dragged onto the canvas (mime PipelineView::kStageMime, the type's name) or added with
// Enter / a double click at the canvas's centre.

#include <QWidget>

class QLineEdit;
class QListWidget;
class QMimeData;

namespace orrery::pipeline {
class StageRegistry;
}

namespace orrery::ui {

class StagePalette : public QWidget {
    Q_OBJECT
public:
    static const QString kCommandType; // "command"

    explicit StagePalette(const pipeline::StageRegistry &registry, QWidget *parent = nullptr);
    QListWidget *list() const { return m_list; }
    QLineEdit *filterEdit() const { return m_filter; }
    // What a drag of the current entry carries (the same data the list's QDrag uses).
    QMimeData *mimeDataForCurrent() const;
    void setFilter(const QString &text);

Q_SIGNALS:
    void activated(const QString &typeName);

private:
    QLineEdit *m_filter;
    QListWidget *m_list;
};

} // namespace orrery::ui
