#pragma once
// ElidedLabel: one line of plain text that shortens itself in the middle ("/home/…/fraud") when
// there is not enough room, with the full text as its tooltip. Paths keep both their start and
// their most telling end that way; a plain QLabel would clip or push the layout wider instead.

#include <QFrame>

namespace orrery::ui {

class ElidedLabel : public QFrame {
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    void setText(const QString &text);
    QString text() const { return m_text; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_text;
};

} // namespace orrery::ui
