#pragma once
// SvgIconWidget: draws one SVG at a fixed logical size. It renders the vector drawing on every
// paint instead of caching a pixmap, so the icon stays sharp at any device pixel ratio and after
// the window moves to a screen with another scale.
//
// The icons are drawn for 24 px with 1.75 px strokes; scaled to 72 px or more those strokes turn
// heavy. `strokeWidth` (in the icon's 24-unit grid) redraws a large rendering with a lighter
// stroke, as icon families do at display sizes; 0 keeps the drawing's own.

#include <QWidget>

class QSvgRenderer;

namespace orrery::ui {

class SvgIconWidget : public QWidget {
    Q_OBJECT
public:
    SvgIconWidget(const QString &svgPath, int logicalSize, QWidget *parent = nullptr);
    SvgIconWidget(const QString &svgPath, int logicalSize, qreal strokeWidth, QWidget *parent = nullptr);

    QSize sizeHint() const override;
    bool isValidIcon() const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QSvgRenderer *m_renderer;
    int m_size;
};

} // namespace orrery::ui
