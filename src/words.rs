//! Enums whose every value has one word on the wire (JSON, Prometheus labels, tables): one
//! list per enum gives the variants, their words, `ALL` and `Display`, so a variant can never
//! lack its word or its place in `ALL`.

/// Declares `enum $name` with one `$word` per variant, and on it `ALL` (every variant, in
/// declaration order), `as_str` (the word) and `Display` (the word).
macro_rules! words {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $word:literal, )+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [Self; [$(stringify!($variant)),+].len()] = [$(Self::$variant),+];

            /// The word for this value in JSON, labels and tables.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $word, )+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use words;
