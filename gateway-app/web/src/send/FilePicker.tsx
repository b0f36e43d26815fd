import { useId, useState, type DragEvent } from 'react';
import { RowActionButton } from '../app/RowActionButton';
import { formatBytes } from '../records/format';
import { mediaTypeLabel } from '../records/media-types';
import { ACCEPTED_FILES, recogniseFile, type ChosenFile, type RefusedFile } from './file-kind';

/** Splits files into those MedShare sends and the others, with why. */
async function sortOut(files: readonly File[]): Promise<{ accepted: ChosenFile[]; rejected: RefusedFile[] }> {
  const accepted: ChosenFile[] = [];
  const rejected: RefusedFile[] = [];
  for (const file of files) {
    const kind = await recogniseFile(file);
    if ('file' in kind) accepted.push(kind);
    else rejected.push(kind);
  }
  return { accepted, rejected };
}

/**
 * Chooses the files to send, with a file input or by dropping them on the zone; lists them with their
 * kind and size. Each file is checked here first: anything but DICOM Part 10, PNG and JPEG, and any empty
 * file, is refused with its reason.
 */
export function FilePicker({
  files,
  onChange,
  disabled,
}: {
  files: readonly ChosenFile[];
  onChange: (files: ChosenFile[]) => void;
  disabled: boolean;
}) {
  const id = useId();
  const [rejected, setRejected] = useState<RefusedFile[]>([]);
  const [over, setOver] = useState(false);

  const add = async (list: readonly File[]) => {
    const sorted = await sortOut(list);
    setRejected(sorted.rejected);
    const seen = new Set(files.map((f) => `${f.file.name}/${f.file.size}/${f.file.lastModified}`));
    onChange([
      ...files,
      ...sorted.accepted.filter((f) => !seen.has(`${f.file.name}/${f.file.size}/${f.file.lastModified}`)),
    ]);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (!disabled) void add([...event.dataTransfer.files]);
  };
  const total = files.reduce((n, f) => n + f.file.size, 0);

  return (
    <div className="file-picker">
      <div
        className={over ? 'dropzone over' : 'dropzone'}
        role="group"
        aria-labelledby={`${id}-zone`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => {
          setOver(false);
        }}
        onDrop={onDrop}
        data-testid="drop-zone"
      >
        <label htmlFor={`${id}-input`}>Files</label>
        <input
          id={`${id}-input`}
          type="file"
          multiple
          accept={ACCEPTED_FILES}
          disabled={disabled}
          aria-describedby={`${id}-zone`}
          onChange={(e) => {
            const input = e.currentTarget;
            void add([...(input.files ?? [])]).then(() => {
              input.value = '';
            });
          }}
        />
        <p className="hint" id={`${id}-zone`}>
          Drop zone: drag DICOM (.dcm), PNG or JPEG images here, or choose them above. Several images are sent
          together as one study.
        </p>
      </div>
      {rejected.length > 0 && (
        <div className="refusal" role="alert" data-testid="refused-files">
          <strong>Not sent: checked on this device and refused</strong>
          <ul className="reason">
            {rejected.map((r) => (
              <li key={r.name} data-code={r.code}>
                {r.reason} <code>{r.code}</code>
              </li>
            ))}
          </ul>
          <p className="next">Choose DICOM Part 10 files, or PNG or JPEG images.</p>
        </div>
      )}
      {files.length > 0 && (
        <div className="file-list-scroll">
          <table className="file-list">
            <caption>
              {files.length} {files.length === 1 ? 'file' : 'files'} chosen, {formatBytes(total)}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Size</th>
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {files.map((f, index) => (
                <tr key={`${f.file.name}/${f.file.size}/${f.file.lastModified}`} data-testid="chosen-file">
                  <td className="mono">{f.file.name}</td>
                  <td>{mediaTypeLabel(f.mediaType)}</td>
                  <td>{formatBytes(f.file.size)}</td>
                  <td>
                    <RowActionButton
                      action="Remove"
                      subject={f.file.name}
                      className="secondary"
                      disabled={disabled}
                      onClick={() => {
                        onChange(files.filter((_, i) => i !== index));
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
