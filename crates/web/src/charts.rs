//! Bar charts as geometry for the templates to draw as SVG on the server: no chart library,
//! no script. Every bar carries its figure as text (above the bar when there is room, and in
//! its `<title>`), and every chart has a table beside it, so nothing is told by colour alone.

use serde::Serialize;

/// Drawing units of a chart's view box (the SVG scales to its container).
const WIDTH: f64 = 640.0;
const PLOT_HEIGHT: f64 = 160.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 22.0;
const LEFT: f64 = 34.0;
/// Above this many bars the figures no longer fit over them; the titles and table keep them.
const MAX_LABELLED: usize = 16;

/// One bar: its label (below), its value (`None`: nothing to draw), and the value as text.
pub(crate) struct BarInput {
    pub label: String,
    pub value: Option<f64>,
    pub text: String,
}

#[derive(Serialize)]
pub(crate) struct Chart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub baseline: f64,
    pub ticks: Vec<Tick>,
    pub bars: Vec<Bar>,
    pub labelled: bool,
}

#[derive(Serialize)]
pub(crate) struct Tick {
    pub y: f64,
    pub text: String,
}

#[derive(Serialize)]
pub(crate) struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub center: f64,
    pub label: String,
    /// Whether to print the label under this bar (every few when they are many, counted back
    /// from the last — today — so the newest is always named).
    pub show_label: bool,
    pub text: String,
    pub empty: bool,
}

/// A chart of `bars` on a 0..=`max` scale, ticks at 0, half and `max` (written with `unit`).
pub(crate) fn bar_chart(bars: Vec<BarInput>, max: f64, unit: &str) -> Chart {
    let n = bars.len().max(1);
    let slot = (WIDTH - LEFT) / n as f64;
    let width = (slot * 0.7).max(1.0);
    let baseline = TOP + PLOT_HEIGHT;
    let every = n.div_ceil(8);
    let scale = |v: f64| (v.clamp(0.0, max) / max) * PLOT_HEIGHT;
    let ticks = [0.0, max / 2.0, max]
        .iter()
        .map(|v| Tick {
            y: round(baseline - scale(*v)),
            text: format!("{}{unit}", v.round()),
        })
        .collect();
    let bars = bars
        .into_iter()
        .enumerate()
        .map(|(i, bar)| {
            let height = bar.value.map(scale).unwrap_or(0.0);
            let x = LEFT + slot * i as f64 + (slot - width) / 2.0;
            Bar {
                x: round(x),
                y: round(baseline - height),
                width: round(width),
                height: round(height),
                center: round(x + width / 2.0),
                show_label: (n - 1 - i).is_multiple_of(every),
                label: bar.label,
                text: bar.text,
                empty: bar.value.is_none(),
            }
        })
        .collect();
    Chart {
        width: WIDTH,
        height: baseline + BOTTOM,
        left: LEFT,
        baseline,
        ticks,
        bars,
        labelled: n <= MAX_LABELLED,
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(values: &[Option<f64>]) -> Vec<BarInput> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| BarInput {
                label: format!("d{i}"),
                value: *v,
                text: v.map(|v| v.to_string()).unwrap_or_default(),
            })
            .collect()
    }

    #[test]
    fn bars_grow_from_the_baseline_in_proportion() {
        let chart = bar_chart(
            input(&[Some(100.0), Some(50.0), None, Some(150.0)]),
            100.0,
            "%",
        );
        let heights: Vec<f64> = chart.bars.iter().map(|b| b.height).collect();
        // Over the scale is drawn at the top, not past it.
        assert_eq!(heights, [160.0, 80.0, 0.0, 160.0]);
        for bar in &chart.bars {
            assert_eq!(bar.y + bar.height, chart.baseline);
            assert!(bar.x >= chart.left && bar.x + bar.width <= chart.width);
        }
        assert!(chart.bars[2].empty);
        let ticks: Vec<&str> = chart.ticks.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(ticks, ["0%", "50%", "100%"]);
        assert!(chart.labelled);
    }

    #[test]
    fn many_bars_label_every_few_back_from_the_last() {
        let chart = bar_chart(input(&[Some(1.0); 30]), 100.0, "%");
        assert!(!chart.labelled);
        let shown: Vec<usize> = (0..30).filter(|i| chart.bars[*i].show_label).collect();
        assert_eq!(shown, [1, 5, 9, 13, 17, 21, 25, 29]);
    }
}
