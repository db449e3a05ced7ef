//! Identifiers that are text and nothing more (a hotkey, a GitHub id): one definition of what
//! each such type offers, so they cannot drift apart.

/// `new` from any text, `as_str`, and `Display` as the text itself, for a tuple struct over
/// one `String`; `$what` names the value in the docs ("hotkey", "GitHub id").
macro_rules! text_id {
    ($name:ident, $what:literal) => {
        impl $name {
            #[doc = concat!("A ", $what, " from its text.")]
            pub fn new(text: impl Into<String>) -> Self {
                Self(text.into())
            }

            #[doc = concat!("The ", $what, " as text.")]
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub(crate) use text_id;
