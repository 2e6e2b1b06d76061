//! The one vocabulary of the Graph contract: for each closed list, the language's word, the IR
//! enum value and Graph's string, side by side; and one descriptor per Graph property (which
//! clause writes it, in which API version, with which vocabulary).
//!
//! In: nothing (tables compiled in). Out: lookups in every direction, used by `check` (words →
//! values), `emit` (values → Graph strings), `import` (Graph strings → words, the properties an
//! object may hold), `whatif` and the plan renderer (values and Graph strings → words).

mod fields;
mod tables;

pub use fields::{Api, FIELDS, Field, Use, clause_for_path, field, members_of, words_for_path};
pub use tables::*;

/// One entry of a vocabulary: the language's word (`None` for a Graph member the language does
/// not write), the IR value and Graph's string.
#[derive(Debug)]
pub struct Term<T: 'static> {
    pub word: Option<&'static str>,
    pub value: T,
    pub graph: &'static str,
}

/// A term the language writes.
pub const fn t<T>(word: &'static str, value: T, graph: &'static str) -> Term<T> {
    Term {
        word: Some(word),
        value,
        graph,
    }
}

/// A Graph member the language has no word for (`hidden`, `easSupported`).
pub const fn graph_only<T>(value: T, graph: &'static str) -> Term<T> {
    Term {
        word: None,
        value,
        graph,
    }
}

/// A closed vocabulary: what it names (`device platform`) and its terms, in Graph's order.
#[derive(Debug)]
pub struct Vocab<T: 'static> {
    pub what: &'static str,
    pub terms: &'static [Term<T>],
}

impl<T: Copy + PartialEq> Vocab<T> {
    /// The value a source word names.
    pub fn by_word(&self, word: &str) -> Option<T> {
        self.terms
            .iter()
            .find(|t| t.word == Some(word))
            .map(|t| t.value)
    }

    /// The value Graph's string names, exactly as Graph spells it.
    pub fn by_graph(&self, graph: &str) -> Option<T> {
        self.term_by_graph(graph).map(|t| t.value)
    }

    pub fn term_by_graph(&self, graph: &str) -> Option<&'static Term<T>> {
        self.terms.iter().find(|t| t.graph == graph)
    }

    /// The Graph member spelled like `graph` but for case, for a did-you-mean.
    pub fn graph_ignoring_case(&self, graph: &str) -> Option<&'static str> {
        self.terms
            .iter()
            .find(|t| t.graph.eq_ignore_ascii_case(graph))
            .map(|t| t.graph)
    }

    /// The source word of a value (`None` when the language has no word for it).
    pub fn word(&self, value: T) -> Option<&'static str> {
        self.terms
            .iter()
            .find(|t| t.value == value)
            .and_then(|t| t.word)
    }

    /// The source word of a value, or its Graph string when the language has none.
    pub fn word_or_graph(&self, value: T) -> &'static str {
        self.terms
            .iter()
            .find(|t| t.value == value)
            .map_or("?", |t| t.word.unwrap_or(t.graph))
    }

    /// Graph's string for a value.
    pub fn graph(&self, value: T) -> &'static str {
        self.terms
            .iter()
            .find(|t| t.value == value)
            .map_or("?", |t| t.graph)
    }

    /// The words the language accepts, in table order.
    pub fn words(&self) -> impl Iterator<Item = &'static str> + Clone + '_ {
        self.terms.iter().filter_map(|t| t.word)
    }

    /// Graph's members, in Graph's order.
    pub fn graph_names(&self) -> impl Iterator<Item = &'static str> + Clone + '_ {
        self.terms.iter().map(|t| t.graph)
    }

    /// `(Graph string, value)` pairs, for readers of Graph JSON.
    pub fn graph_values(&self) -> Vec<(&'static str, T)> {
        self.terms.iter().map(|t| (t.graph, t.value)).collect()
    }

    /// `(Graph string, source word)` pairs; `None` where the language has no word.
    pub fn graph_words(&self) -> Vec<(&'static str, Option<&'static str>)> {
        self.terms.iter().map(|t| (t.graph, t.word)).collect()
    }

    /// The position of a value in Graph's order.
    pub fn position(&self, value: T) -> usize {
        self.terms
            .iter()
            .position(|t| t.value == value)
            .unwrap_or(usize::MAX)
    }
}

/// A vocabulary seen without its value type: Graph string → source word. What the plan
/// renderer and field descriptors need.
pub trait Words: Sync {
    fn word_of_graph(&self, graph: &str) -> Option<&'static str>;
}

impl<T: Copy + PartialEq + Sync> Words for Vocab<T> {
    fn word_of_graph(&self, graph: &str) -> Option<&'static str> {
        self.term_by_graph(graph).and_then(|t| t.word)
    }
}

#[cfg(test)]
mod tests;
