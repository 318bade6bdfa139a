//! Reading measurement tables (CSV with a header row) for curve fitting, with errors that name the line
//! and the column.

use crate::error::{Error, Result};

use super::MAX_FILE_BYTES;

/// A CSV table with named columns; cells are kept as text and read as numbers on demand.
#[derive(Debug, Clone)]
pub struct Table {
    header: Vec<String>,
    /// (line number in the file, cells) for every data row.
    rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// Parses `text`: a header naming at least the `required` columns (each once), then at least
    /// `min_rows` data rows of as many cells as the header. Blank lines and lines starting with `#` are
    /// skipped; cells are trimmed.
    pub fn parse(text: &str, required: &[&str], min_rows: usize) -> Result<Self> {
        if text.len() > MAX_FILE_BYTES {
            return Err(Error::new("file", format!("is {} bytes; at most {MAX_FILE_BYTES} are accepted", text.len())));
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let read_error = |e: csv::Error| {
            let line = e.position().map_or(0, |p| p.line());
            Error::new(format!("line {line}"), format!("is not valid CSV: {e}"))
        };
        let (header_line, header) = match records.next() {
            Some(record) => {
                let record = record.map_err(read_error)?;
                (record.position().map_or(1, |p| p.line()), record.iter().map(str::to_owned).collect::<Vec<_>>())
            }
            None => return Err(Error::new("file", format!("is empty; expected a header with {}", required.join(",")))),
        };
        for (i, name) in header.iter().enumerate() {
            if header[..i].contains(name) {
                return Err(Error::new(
                    format!("line {header_line}, column {}", i + 1),
                    format!("duplicate column '{name}'"),
                ));
            }
        }
        for name in required {
            if !header.iter().any(|h| h == name) {
                return Err(Error::new(
                    format!("line {header_line}"),
                    format!("missing column '{name}' (the header has: {})", header.join(", ")),
                ));
            }
        }
        let mut rows = Vec::new();
        for record in records {
            let record = record.map_err(read_error)?;
            let line = record.position().map_or(0, |p| p.line());
            if record.len() == 1 && record.get(0) == Some("") {
                continue;
            }
            if record.len() != header.len() {
                return Err(Error::new(
                    format!("line {line}"),
                    format!("has {} cells; the header has {}", record.len(), header.len()),
                ));
            }
            rows.push((line, record.iter().map(str::to_owned).collect()));
        }
        if rows.len() < min_rows {
            return Err(Error::new("file", format!("needs at least {min_rows} data rows, got {}", rows.len())));
        }
        Ok(Self { header, rows })
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no data rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn column(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).expect("only required columns are read")
    }

    fn place(&self, row: usize, column: usize) -> String {
        format!("line {}, column {} ({})", self.rows[row].0, column + 1, self.header[column])
    }

    /// The text of cell (`row`, column `name`); `name` must be one of the required columns.
    pub fn text(&self, row: usize, name: &str) -> &str {
        &self.rows[row].1[self.column(name)]
    }

    /// Cell (`row`, column `name`) as a finite number.
    pub fn number(&self, row: usize, name: &str) -> Result<f64> {
        let column = self.column(name);
        let cell = &self.rows[row].1[column];
        let value: f64 =
            cell.parse().map_err(|_| Error::new(self.place(row, column), format!("'{cell}' is not a number")))?;
        if !value.is_finite() {
            return Err(Error::new(self.place(row, column), format!("must be a finite number, got '{cell}'")));
        }
        Ok(value)
    }

    /// Every cell of column `name` as finite numbers.
    pub fn numbers(&self, name: &str) -> Result<Vec<f64>> {
        (0..self.rows.len()).map(|row| self.number(row, name)).collect()
    }

    /// The line of the file data row `row` is on.
    pub fn line(&self, row: usize) -> u64 {
        self.rows[row].0
    }

    /// Where cell (`row`, column `name`) is, for error messages about its value.
    pub fn locate(&self, row: usize, name: &str) -> String {
        self.place(row, self.column(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_and_names_line_and_column_of_problems() {
        let t = Table::parse("tokens, delay_s ,score\n# a comment\n10,1.5,3\n\n20,2.5,4\n", &["tokens", "score"], 2)
            .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t.numbers("score").unwrap(), vec![3.0, 4.0]);
        assert_eq!(t.number(1, "tokens").unwrap(), 20.0);

        let e = Table::parse("a,b\n1,2\n3,x\n", &["a", "b"], 1).unwrap().numbers("b").unwrap_err();
        assert_eq!(e.to_string(), "line 3, column 2 (b): 'x' is not a number");
        let e = Table::parse("a,b\n1,NaN\n", &["a", "b"], 1).unwrap().numbers("b").unwrap_err();
        assert_eq!(e.to_string(), "line 2, column 2 (b): must be a finite number, got 'NaN'");
        let e = Table::parse("a,b\n1,2\n", &["a", "c"], 1).unwrap_err();
        assert_eq!(e.to_string(), "line 1: missing column 'c' (the header has: a, b)");
        let e = Table::parse("a,b,a\n1,2,3\n", &["a"], 1).unwrap_err();
        assert_eq!(e.to_string(), "line 1, column 3: duplicate column 'a'");
        let e = Table::parse("a,b\n1,2\n3\n", &["a"], 1).unwrap_err();
        assert_eq!(e.to_string(), "line 3: has 1 cells; the header has 2");
        let e = Table::parse("a,b\n1,2\n", &["a"], 3).unwrap_err();
        assert_eq!(e.to_string(), "file: needs at least 3 data rows, got 1");
        assert_eq!(Table::parse("", &["a"], 1).unwrap_err().field, "file");
    }
}
