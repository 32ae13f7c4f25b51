#include "ui/experiments/run_compare_view.h"

#include "core/tracking/metric_history.h"
#include "core/tracking/run_table_query.h"
#include "core/tracking/tracking_store.h"
#include "core/store/database_worker.h"
#include "ui/experiments/metric_chart.h"
#include "ui/experiments/run_label.h"

#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace orrery::ui {

RunCompareView::RunCompareView(store::DatabaseWorker *worker, QWidget *parent)
    : QWidget(parent),
      m_worker(worker),
      m_xAxisBox(new QComboBox(this)),
      m_smoothingSlider(new QSlider(Qt::Horizontal, this)),
      m_smoothingLabel(new QLabel(this)),
      m_logBox(new QCheckBox(tr("Log scale"), this)),
      m_note(new QLabel(this)),
      m_legend(new QLabel(this)),
      m_grid(new QWidget),
      m_gridLayout(new QGridLayout(m_grid)),
      m_liveTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("runCompareView"));
    m_xAxisBox->setObjectName(QStringLiteral("xAxisBox"));
    m_xAxisBox->addItem(tr("Step"), int(ChartXAxis::Step));
    m_xAxisBox->addItem(tr("Wall time"), int(ChartXAxis::WallTime));
    m_xAxisBox->addItem(tr("Relative time"), int(ChartXAxis::RelativeTime));
    m_smoothingSlider->setObjectName(QStringLiteral("smoothingSlider"));
    m_smoothingSlider->setRange(0, 99);
    m_smoothingSlider->setFixedWidth(160);
    m_smoothingLabel->setMinimumWidth(32);
    m_logBox->setObjectName(QStringLiteral("logScaleBox"));
    auto *reset = new QPushButton(tr("Reset zoom"), this);
    reset->setObjectName(QStringLiteral("resetZoomButton"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("X axis"), this));
    bar->addWidget(m_xAxisBox);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Smoothing"), this));
    bar->addWidget(m_smoothingSlider);
    bar->addWidget(m_smoothingLabel);
    bar->addSpacing(12);
    bar->addWidget(m_logBox);
    bar->addWidget(reset);
    bar->addStretch(1);
    bar->addWidget(m_note);

    m_legend->setObjectName(QStringLiteral("compareLegend"));
    m_legend->setWordWrap(true);
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_legend->hide();

    m_gridLayout->setContentsMargins(0, 0, 0, 0);
    m_gridLayout->setSpacing(6);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_grid);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_legend);
    layout->addWidget(scroll, 1);

    m_smoothingLabel->setText(QStringLiteral("0.00"));
    connect(m_xAxisBox, &QComboBox::currentIndexChanged, this, [this] { setXAxis(ChartXAxis(m_xAxisBox->currentData().toInt())); });
    connect(m_smoothingSlider, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
    connect(m_logBox, &QCheckBox::toggled, this, &RunCompareView::setLogScale);
    connect(reset, &QPushButton::clicked, this, [this] {
        for (MetricChart *c : std::as_const(m_charts))
            c->resetView();
    });
    m_liveTimer->setInterval(kLiveIntervalMs);
    connect(m_liveTimer, &QTimer::timeout, this, [this] { loadOverview(true); });
}

RunCompareView::~RunCompareView() = default;

QColor RunCompareView::runColor(int index)
{
    static const QColor tab10[] = {QColor(0x1f77b4), QColor(0xff7f0e), QColor(0x2ca02c), QColor(0xd62728), QColor(0x9467bd),
                                   QColor(0x8c564b), QColor(0xe377c2), QColor(0x7f7f7f), QColor(0xbcbd22), QColor(0x17becf)};
    if (index < 10)
        return tab10[index];
    return QColor::fromHsvF(std::fmod(index * 0.618033988749895, 1.0), 0.65, 0.85);
}

void RunCompareView::clear()
{
    setRuns({});
}

void RunCompareView::setRuns(const QVector<CompareRun> &runs)
{
    ++m_generation;
    m_runs = runs;
    m_overview.clear();
    m_zoomed.clear();
    m_rangeInFlight.clear();
    m_rangeAgain.clear();
    m_overviewInFlight = false;
    m_liveTimer->stop();
    QStringList entries;
    for (int i = 0; i < runs.size(); ++i) {
        const QString label = runs[i].label.isEmpty() ? runlabel::nameWithId(runs[i].name, runs[i].id) : runs[i].label;
        // A non-breaking entry: the swatch stays with its label when the line wraps.
        entries << QStringLiteral("<span style=\"white-space:nowrap\"><span style=\"color:%1\">&#9632;</span>&nbsp;%2</span>")
                       .arg(runColor(i).name(), label.toHtmlEscaped());
    }
    m_legend->setText(entries.join(QStringLiteral(" &nbsp;&nbsp; ")));
    m_legend->setVisible(runs.size() > 1);
    if (runs.isEmpty()) {
        rebuildCharts({});
        m_note->setText(tr("Select runs in the table to compare them."));
        return;
    }
    m_note->setText(tr("Reading %n run(s)…", nullptr, int(runs.size())));
    loadOverview(false);
}

qint64 RunCompareView::startTimeOf(const QString &runId) const
{
    for (const auto &r : m_runs)
        if (r.id == runId)
            return r.startTime;
    return 0;
}

void RunCompareView::loadOverview(bool live)
{
    if (m_overviewInFlight)
        return; // the live timer never queues a second read behind a slow one
    QStringList ids;
    for (const auto &r : m_runs)
        if (!live || r.status == tracking::RunStatus::Running)
            ids << r.id;
    if (ids.isEmpty())
        return;
    m_overviewInFlight = true;
    const quint64 generation = m_generation;
    struct Answer {
        QMap<QString, KeyHistories> data;
        QVector<CompareRun> runs;
    };
    m_worker->post<Answer>([ids](store::Database &db) -> Result<Answer> {
        Answer a;
        ORRERY_ASSIGN_OR_RETURN(auto keys, tracking::metricKeysOfRuns(db, ids));
        for (const QString &key : keys)
            for (const QString &id : ids) {
                ORRERY_ASSIGN_OR_RETURN(auto h, tracking::decimatedHistory(db, id, key, kOverviewPoints, tracking::Decimation::MinMax));
                if (!h.isEmpty())
                    a.data[key].insert(id, std::move(h));
            }
        tracking::TrackingStore store(db);
        for (const QString &id : ids)
            if (auto info = store.runInfo(id))
                a.runs.append({id, info->runName, QString(), info->status, info->startTime});
        return a;
    }, this, [this, generation, live](const Result<Answer> &answer) {
        if (generation != m_generation)
            return;
        m_overviewInFlight = false;
        if (!answer) {
            m_note->setText(answer.status().message());
            m_liveTimer->stop();
            return;
        }
        applyOverview(answer->data, answer->runs, live);
    });
}

void RunCompareView::applyOverview(const QMap<QString, KeyHistories> &data, const QVector<CompareRun> &statuses, bool live)
{
    for (const auto &s : statuses)
        for (auto &r : m_runs)
            if (r.id == s.id) {
                r.status = s.status;
                r.startTime = s.startTime;
            }
    if (!live)
        m_overview = data;
    else
        for (auto it = data.begin(); it != data.end(); ++it)
            for (auto run = it->begin(); run != it->end(); ++run)
                m_overview[it.key()].insert(run.key(), run.value());
    const QStringList keys = m_overview.keys();
    if (keys != m_charts.keys())
        rebuildCharts(keys);
    for (const QString &key : keys)
        if (!live || data.contains(key))
            pushCurves(key);
    bool running = false;
    for (const auto &r : m_runs)
        running = running || r.status == tracking::RunStatus::Running;
    if (running && !m_liveTimer->isActive())
        m_liveTimer->start();
    else if (!running)
        m_liveTimer->stop();
    m_note->setText(keys.isEmpty() ? tr("These runs logged no metrics.")
                                   : tr("%n run(s), %1 metric(s)%2", nullptr, int(m_runs.size()))
                                         .arg(keys.size())
                                         .arg(running ? tr(" — live") : QString()));
    Q_EMIT curvesUpdated();
}

void RunCompareView::rebuildCharts(const QStringList &keys)
{
    for (auto it = m_charts.begin(); it != m_charts.end(); ++it)
        if (!keys.contains(it.key()))
            delete it.value();
    QMap<QString, MetricChart *> kept;
    for (const QString &key : keys) {
        MetricChart *chart = m_charts.value(key);
        if (!chart) {
            chart = new MetricChart(m_grid);
            chart->setObjectName(QStringLiteral("metricChart.") + key);
            chart->setTitle(key);
            chart->setXAxisKind(m_xAxis);
            chart->setSmoothing(m_smoothing);
            chart->setLogScale(m_log);
            chart->setMinimumHeight(240);
            chart->chartView()->setContextMenuPolicy(Qt::CustomContextMenu);
            connect(chart->chartView(), &QWidget::customContextMenuRequested, this,
                    [this, chart](const QPoint &pos) { showChartMenu(chart, chart->chartView()->mapToGlobal(pos)); });
            connect(chart, &MetricChart::viewRangeChanged, this, [this, key] { requestRange(key); });
        }
        kept.insert(key, chart);
    }
    m_charts = kept;
    while (m_gridLayout->count() > 0)
        delete m_gridLayout->takeAt(0);
    const int columns = keys.size() <= 1 ? 1 : (width() > 1500 && keys.size() > 4 ? 3 : 2);
    int i = 0;
    for (MetricChart *chart : std::as_const(m_charts)) {
        m_gridLayout->addWidget(chart, i / columns, i % columns);
        ++i;
    }
    for (int c = 0; c < 3; ++c)
        m_gridLayout->setColumnStretch(c, c < columns ? 1 : 0);
    m_gridLayout->setRowStretch((i + columns - 1) / std::max(1, columns), 1);
}

QVector<QPointF> RunCompareView::mapped(const QString &runId, const History &points) const
{
    return curvePoints(points, m_xAxis, startTimeOf(runId));
}

void RunCompareView::pushCurves(const QString &key)
{
    MetricChart *chart = m_charts.value(key);
    if (!chart)
        return;
    const KeyHistories &overview = m_overview.value(key);
    const auto zoomed = m_zoomed.value(key);
    QVector<ChartCurveInput> curves;
    for (int i = 0; i < m_runs.size(); ++i) {
        const CompareRun &run = m_runs[i];
        auto it = overview.constFind(run.id);
        if (it == overview.constEnd())
            continue;
        History points;
        if (auto z = zoomed.constFind(run.id); z != zoomed.constEnd()) {
            // The finer points of the zoomed range spliced into the overview.
            for (const auto &p : *it)
                if (p.step < z->from)
                    points.append(p);
            points += z->points;
            for (const auto &p : *it)
                if (p.step > z->to)
                    points.append(p);
        } else {
            points = *it;
        }
        curves.append({run.id, run.label.isEmpty() ? runlabel::nameWithId(run.name, run.id) : run.label, runColor(i), mapped(run.id, points)});
    }
    chart->updateCurves(curves);
}

void RunCompareView::requestRange(const QString &key)
{
    MetricChart *chart = m_charts.value(key);
    if (!chart)
        return;
    if (!chart->isZoomed()) {
        if (m_zoomed.remove(key))
            pushCurves(key);
        return;
    }
    if (m_rangeInFlight.value(key)) {
        m_rangeAgain[key] = true;
        return;
    }
    const auto [xMin, xMax] = chart->viewRange();
    const int maxPoints = 2 * chart->plotColumns();
    QHash<QString, tracking::StepRange> ranges;
    for (auto it = m_overview.value(key).constBegin(); it != m_overview.value(key).constEnd(); ++it) {
        const History &h = it.value();
        if (h.isEmpty())
            continue;
        tracking::StepRange r;
        if (m_xAxis == ChartXAxis::Step) {
            r.from = qint64(std::floor(xMin));
            r.to = qint64(std::ceil(xMax));
        } else {
            // Steps and clock both grow during a run: the overview's points bracket the time range.
            const QVector<QPointF> xs = mapped(it.key(), h);
            int first = 0, last = int(h.size()) - 1;
            while (first < h.size() && xs[first].x() < xMin)
                ++first;
            while (last >= 0 && xs[last].x() > xMax)
                --last;
            r.from = h[std::max(0, first - 1)].step;
            r.to = h[std::min(int(h.size()) - 1, std::max(0, last + 1))].step;
        }
        ranges.insert(it.key(), r);
    }
    m_rangeInFlight[key] = true;
    const quint64 generation = m_generation;
    using Answer = QHash<QString, ZoomedPart>;
    m_worker->post<Answer>([key, ranges, maxPoints](store::Database &db) -> Result<Answer> {
        Answer a;
        for (auto it = ranges.begin(); it != ranges.end(); ++it) {
            ORRERY_ASSIGN_OR_RETURN(auto h,
                tracking::decimatedHistory(db, it.key(), key, maxPoints, tracking::Decimation::MinMax, it.value()));
            a.insert(it.key(), {it.value().from, it.value().to, std::move(h)});
        }
        return a;
    }, this, [this, key, generation](const Result<Answer> &answer) {
        if (generation != m_generation)
            return;
        m_rangeInFlight[key] = false;
        MetricChart *chart = m_charts.value(key);
        if (answer && chart && chart->isZoomed()) {
            m_zoomed.insert(key, *answer);
            pushCurves(key);
        }
        if (std::exchange(m_rangeAgain[key], false))
            requestRange(key);
        Q_EMIT curvesUpdated();
    });
}

void RunCompareView::setXAxis(ChartXAxis axis)
{
    if (axis == m_xAxis)
        return;
    m_xAxis = axis;
    const int index = m_xAxisBox->findData(int(axis));
    if (index != m_xAxisBox->currentIndex())
        m_xAxisBox->setCurrentIndex(index);
    m_zoomed.clear();
    for (auto it = m_charts.begin(); it != m_charts.end(); ++it) {
        it.value()->setXAxisKind(axis);
        pushCurves(it.key());
    }
}

void RunCompareView::setSmoothing(double weight)
{
    m_smoothing = std::clamp(weight, 0.0, 0.99);
    const int v = int(std::round(m_smoothing * 100));
    if (m_smoothingSlider->value() != v)
        m_smoothingSlider->setValue(v);
    m_smoothingLabel->setText(QString::number(m_smoothing, 'f', 2));
    for (MetricChart *c : std::as_const(m_charts))
        c->setSmoothing(m_smoothing);
}

void RunCompareView::setLogScale(bool on)
{
    m_log = on;
    if (m_logBox->isChecked() != on)
        m_logBox->setChecked(on);
    for (MetricChart *c : std::as_const(m_charts))
        c->setLogScale(on);
}

bool RunCompareView::isLive() const
{
    return m_liveTimer->isActive();
}

void RunCompareView::showChartMenu(MetricChart *chart, const QPoint &globalPos)
{
    QMenu menu(this);
    QAction *png = menu.addAction(tr("Export as PNG…"));
    QAction *svg = menu.addAction(tr("Export as SVG…"));
    menu.addSeparator();
    QAction *reset = menu.addAction(tr("Reset zoom"));
    QAction *chosen = menu.exec(globalPos);
    if (chosen == reset) {
        chart->resetView();
    } else if (chosen == png || chosen == svg) {
        const bool isPng = chosen == png;
        const QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), chart->title() + (isPng ? QStringLiteral(".png") : QStringLiteral(".svg")),
                                                          isPng ? tr("PNG image (*.png)") : tr("SVG drawing (*.svg)"));
        if (path.isEmpty())
            return;
        const bool ok = isPng ? chart->exportPng(path) : chart->exportSvg(path);
        if (!ok)
            QMessageBox::warning(this, tr("Export chart"), tr("Could not write %1. Choose a folder you can write to.").arg(path));
    }
}

} // namespace orrery::ui
