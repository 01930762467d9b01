"""The review window's widgets and where they sit: page tree and filters | page with overlays |
claims and challenge panels, the toolbar and the status bar (the window's ``setupUi``).

:func:`build` makes the widgets and the controllers that own some of them, sets them on the
window under the names the rest of ``ui`` uses, and wires the signals between widgets; what
happens when they fire is the window's and its controllers' business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from ui.filters import PageFilter
from ui.models.tree import PageTreeModel
from ui.navigation import Navigator
from ui.rendering import PageImages
from ui.review.actions import ReviewActions
from ui.review.challenge import ChallengePanel
from ui.review.claims import ClaimsPanel
from ui.review.page_view import PageView
from ui.search.controller import SearchController
from ui.widgets.common import Banner
from ui.widgets.thumbs import ThumbStrip

if TYPE_CHECKING:
    from ui.window import MainWindow


def build(w: MainWindow) -> None:
    """Lay out ``w``: the three panes, the banner and empty-state text, toolbar, status bar."""
    w.splitter = QSplitter(Qt.Orientation.Horizontal)
    w.splitter.addWidget(_left_pane(w))
    w.splitter.addWidget(_page_pane(w))
    w.splitter.addWidget(_right_pane(w))
    w.splitter.setStretchFactor(0, 0)
    w.splitter.setStretchFactor(1, 1)
    w.splitter.setStretchFactor(2, 0)
    w.splitter.setSizes([300, 800, 420])

    w.banner = Banner()
    w.empty = QLabel("Open a matter (Ctrl+O), or drop a PDF, a folder or a volume here to "
                     "ingest it.")
    w.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
    central = QWidget()
    cl = QVBoxLayout(central)
    cl.setContentsMargins(0, 0, 0, 0)
    cl.setSpacing(0)
    cl.addWidget(w.banner)
    cl.addWidget(w.splitter, 1)
    cl.addWidget(w.empty, 1)
    w.splitter.setVisible(False)
    w.setCentralWidget(central)

    tb = w.addToolBar("Search")
    tb.setObjectName("search_toolbar")
    tb.setMovable(False)
    tb.addWidget(w.searching.search_edit)
    tb.addWidget(w.nav.bates_edit)
    w.statusBar().addPermanentWidget(w.zoom_label)


def _left_pane(w: MainWindow) -> QWidget:
    """Tabs: the page tree under its filter, search, thumbnails."""
    w.tree_model = PageTreeModel(w)
    w.tree = QTreeView()
    w.tree.setModel(w.tree_model)
    w.tree.setHeaderHidden(True)
    w.tree.setUniformRowHeights(True)
    w.tree.selectionModel().currentChanged.connect(w.tree_current)
    w.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    w.filters = PageFilter(w)
    w.nav = Navigator(w)
    pages_tab = QWidget()
    pl = QVBoxLayout(pages_tab)
    pl.setContentsMargins(2, 2, 2, 2)
    row = QHBoxLayout()
    row.addWidget(QLabel("Show"))
    row.addWidget(w.filters.filter_kind, 1)
    pl.addLayout(row)
    pl.addWidget(w.filters.filter_value)
    pl.addWidget(w.tree)
    w.left = QTabWidget()
    w.left.addTab(pages_tab, "Pages")
    w.searching = SearchController(w)
    w.left.addTab(w.searching.search_tab, "Search")
    w.thumb_strip = ThumbStrip()
    w.thumb_strip.pageClicked.connect(w.show_page)
    w.left.addTab(w.thumb_strip, "Thumbnails")
    w.pageShown.connect(w.thumb_strip.show_current)
    return w.left


def _page_pane(w: MainWindow) -> QWidget:
    """The page with its overlays; its zoom goes to the status bar."""
    w.page_view = PageView()
    w.images = PageImages(w)
    w.page_view.canvas.redactionClicked.connect(w.select_redaction)
    w.zoom_label = QLabel("")
    w.page_view.zoomChanged.connect(lambda z: w.zoom_label.setText(f"{round(z * 100)}%"))
    return w.page_view


def _right_pane(w: MainWindow) -> QWidget:
    """The claims and challenge panels (the Vaughn-index entry panel joins them later)."""
    w.claims = ClaimsPanel()
    w.challenge = ChallengePanel()
    w.challenge.targetKindChosen.connect(w.target_kind_chosen)
    w.reviewing = ReviewActions(w)
    right = QWidget()
    rl = w.right_layout = QVBoxLayout(right)
    rl.setContentsMargins(2, 2, 2, 2)
    rl.addWidget(w.claims)
    rl.addWidget(w.challenge)
    rl.addStretch(1)
    right_scroll = QScrollArea()
    right_scroll.setWidgetResizable(True)
    right_scroll.setWidget(right)
    return right_scroll
