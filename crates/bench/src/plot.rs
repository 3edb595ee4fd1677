//! SVG plots (plotters): line/scatter plots with optional log axes, and heatmaps.
//!
//! Plots are written atomically (rendered to a string, then [`crate::io::atomic_write`]).

use crate::error::{Error, Result};
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesStyle {
    /// A polyline through the points.
    Line,
    /// A dashed polyline (fits, predictions).
    Dashed,
    /// Unconnected markers.
    Points,
    /// Polyline with markers.
    LinePoints,
}

/// One named series of (x, y) points.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// The points; non-finite ones (and non-positive ones on a log axis) are skipped.
    pub points: Vec<(f64, f64)>,
    /// How to draw it.
    pub style: SeriesStyle,
    /// Optional vertical error bars (lo, hi) per point, same length as `points`.
    pub error_bars: Option<Vec<(f64, f64)>>,
}

impl Series {
    /// A series with the given label, points and style, no error bars.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>, style: SeriesStyle) -> Self {
        Self {
            label: label.into(),
            points,
            style,
            error_bars: None,
        }
    }
    /// Adds vertical error bars.
    pub fn with_error_bars(mut self, bars: Vec<(f64, f64)>) -> Self {
        self.error_bars = Some(bars);
        self
    }
}

/// A 2-D chart of several series.
#[derive(Debug, Clone)]
pub struct LinePlot {
    /// Title at the top.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// The series.
    pub series: Vec<Series>,
    /// Size in pixels.
    pub size: (u32, u32),
    /// Where the legend goes (default upper left, where rising cost curves leave room).
    pub legend: SeriesLabelPosition,
}

const PALETTE: [RGBColor; 12] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
    RGBColor(188, 189, 34),
    RGBColor(127, 127, 127),
    RGBColor(0, 0, 128),
    RGBColor(128, 0, 0),
];

fn plot_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Plot {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl LinePlot {
    /// A plot with linear axes and no series.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_x: false,
            log_y: false,
            series: Vec::new(),
            size: (720, 480),
            legend: SeriesLabelPosition::UpperLeft,
        }
    }
    /// Sets log axes.
    pub fn log_axes(mut self, log_x: bool, log_y: bool) -> Self {
        self.log_x = log_x;
        self.log_y = log_y;
        self
    }
    /// Puts the legend at `position`.
    pub fn legend_at(mut self, position: SeriesLabelPosition) -> Self {
        self.legend = position;
        self
    }
    /// Adds a series.
    pub fn with(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    fn keep(&self, (x, y): (f64, f64)) -> bool {
        x.is_finite() && y.is_finite() && (!self.log_x || x > 0.0) && (!self.log_y || y > 0.0)
    }

    fn range(&self, pick: impl Fn((f64, f64)) -> f64, log: bool) -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for s in &self.series {
            for (i, &p) in s.points.iter().enumerate() {
                if !self.keep(p) {
                    continue;
                }
                let mut vals = vec![pick(p)];
                if let Some(bars) = &s.error_bars {
                    if let Some(&(a, b)) = bars.get(i) {
                        vals.extend([pick((p.0, a)), pick((p.0, b))]);
                    }
                }
                for v in vals
                    .into_iter()
                    .filter(|v| v.is_finite() && (!log || *v > 0.0))
                {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
        if !lo.is_finite() {
            return if log { (0.1, 10.0) } else { (0.0, 1.0) };
        }
        if log {
            if hi <= lo * 1.0001 {
                (lo / 2.0, hi * 2.0)
            } else {
                (lo / 1.3, hi * 1.3)
            }
        } else {
            let pad = if hi > lo {
                0.05 * (hi - lo)
            } else {
                0.5 * lo.abs().max(1.0)
            };
            (lo - pad, hi + pad)
        }
    }

    /// Renders to an SVG file.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
            let (x0, x1) = self.range(|p| p.0, self.log_x);
            let (y0, y1) = self.range(|p| p.1, self.log_y);
            match (self.log_x, self.log_y) {
                (false, false) => self.draw(&root, x0..x1, y0..y1, path)?,
                (true, false) => self.draw(&root, (x0..x1).log_scale(), y0..y1, path)?,
                (false, true) => self.draw(&root, x0..x1, (y0..y1).log_scale(), path)?,
                (true, true) => {
                    self.draw(&root, (x0..x1).log_scale(), (y0..y1).log_scale(), path)?
                }
            }
            root.present().map_err(|e| plot_err(path, e))?;
        }
        crate::io::atomic_write(path, svg.as_bytes())
    }

    fn draw<'a, X, Y>(
        &self,
        root: &DrawingArea<SVGBackend<'a>, Shift>,
        x: X,
        y: Y,
        path: &Path,
    ) -> Result<()>
    where
        X: plotters::coord::ranged1d::AsRangedCoord<Value = f64>,
        Y: plotters::coord::ranged1d::AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x, y)
            .map_err(|e| plot_err(path, e))?;
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(|e| plot_err(path, e))?;
        for (k, s) in self.series.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            let pts: Vec<(f64, f64)> = s.points.iter().copied().filter(|&p| self.keep(p)).collect();
            let legend_style = colour.stroke_width(2);
            let anno = match s.style {
                SeriesStyle::Line | SeriesStyle::LinePoints => chart
                    .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)))
                    .map_err(|e| plot_err(path, e))?,
                SeriesStyle::Dashed => chart
                    .draw_series(DashedLineSeries::new(
                        pts.clone(),
                        6,
                        4,
                        colour.stroke_width(2),
                    ))
                    .map_err(|e| plot_err(path, e))?,
                SeriesStyle::Points => chart
                    .draw_series(
                        pts.iter()
                            .map(|&p| Circle::new(p, 2, colour.mix(0.6).filled())),
                    )
                    .map_err(|e| plot_err(path, e))?,
            };
            anno.label(s.label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], legend_style));
            if s.style == SeriesStyle::LinePoints {
                chart
                    .draw_series(pts.iter().map(|&p| Circle::new(p, 3, colour.filled())))
                    .map_err(|e| plot_err(path, e))?;
            }
            if let Some(bars) = &s.error_bars {
                let segments: Vec<PathElement<(f64, f64)>> = s
                    .points
                    .iter()
                    .zip(bars)
                    .filter(|(&p, &(lo, hi))| {
                        self.keep(p) && self.keep((p.0, lo)) && self.keep((p.0, hi))
                    })
                    .map(|(&(x, _), &(lo, hi))| PathElement::new(vec![(x, lo), (x, hi)], colour))
                    .collect();
                chart.draw_series(segments).map_err(|e| plot_err(path, e))?;
            }
        }
        chart
            .configure_series_labels()
            .position(self.legend.clone())
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| plot_err(path, e))?;
        Ok(())
    }
}

/// A heatmap of `values\[i\]\[j\]` at (xs\[j\], ys\[i\]) with a white→blue scale between the finite
/// minimum and maximum, annotated with each cell's value.
pub fn heatmap(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    xs: &[f64],
    ys: &[f64],
    values: &[Vec<f64>],
) -> Result<()> {
    let finite = values.iter().flatten().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 520)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_err(path, e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(
                (0..xs.len() as i32 - 1).into_segmented(),
                (0..ys.len() as i32 - 1).into_segmented(),
            )
            .map_err(|e| plot_err(path, e))?;
        // Segmented axes put one label at the centre of each cell.
        let label = |labels: &[f64], v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => labels
                .get(*i as usize)
                .map(|l| format!("{l}"))
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_labels(xs.len() + 1)
            .y_labels(ys.len() + 1)
            .x_label_formatter(&|v| label(xs, v))
            .y_label_formatter(&|v| label(ys, v))
            .draw()
            .map_err(|e| plot_err(path, e))?;
        let span = if hi > lo { hi - lo } else { 1.0 };
        for (i, row) in values.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                let shade = if v.is_finite() { (v - lo) / span } else { 0.0 };
                let colour = RGBColor(
                    (255.0 * (1.0 - 0.85 * shade)) as u8,
                    (255.0 * (1.0 - 0.6 * shade)) as u8,
                    255,
                );
                let (x, y) = (j as i32, i as i32);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [
                            (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                            (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                        ],
                        colour.filled(),
                    )))
                    .map_err(|e| plot_err(path, e))?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("{v:.3}"),
                        (SegmentValue::CenterOf(x), SegmentValue::CenterOf(y)),
                        ("sans-serif", 11),
                    )))
                    .map_err(|e| plot_err(path, e))?;
            }
        }
        root.present().map_err(|e| plot_err(path, e))?;
    }
    crate::io::atomic_write(path, svg.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_plot_writes_svg_with_all_labels() {
        let dir = std::env::temp_dir().join(format!("hardiff-plot-{}", std::process::id()));
        let path = dir.join("p.svg");
        LinePlot::new("cost", "m", "draws")
            .log_axes(false, true)
            .with(
                Series::new(
                    "measured",
                    vec![(1.0, 2.0), (2.0, 8.0), (3.0, -1.0)],
                    SeriesStyle::LinePoints,
                )
                .with_error_bars(vec![(1.5, 2.5), (7.0, 9.0), (0.0, 0.0)]),
            )
            .with(Series::new(
                "fit",
                vec![(1.0, 2.0), (3.0, 32.0)],
                SeriesStyle::Dashed,
            ))
            .save(&path)
            .unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        for needle in ["<svg", "cost", "measured", "fit", "draws"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        heatmap(
            &dir.join("h.svg"),
            "tv",
            "σ",
            "γ",
            &[0.1, 0.2],
            &[1.0],
            &[vec![0.5, f64::NAN]],
        )
        .unwrap();
        assert!(std::fs::read_to_string(dir.join("h.svg"))
            .unwrap()
            .contains("0.500"));
        std::fs::remove_dir_all(dir).ok();
    }
}
