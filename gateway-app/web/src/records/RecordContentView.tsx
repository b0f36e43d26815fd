import { useMemo, useState } from 'react';
import { ViewerError } from '../../../src/viewer';
import { Refusal } from '../app/refusal';
import { DicomTagsPanel } from '../viewer/DicomTagsPanel';
import { DicomViewer, ViewerFailure } from '../viewer/DicomViewer';
import { SeriesList } from '../viewer/SeriesList';
import { seriesOf } from '../viewer/slices';
import { formatBytes } from './format';
import { mediaTypeLabel } from './media-types';
import { SaveRecord } from './SaveRecord';
import type { RecordContent } from './use-record-content';

/** A file name for a document: its title (or its DICOM file's name) with the extension of its type. */
function documentFileName(d: { name: string; title: string | undefined; mediaType: string }): string {
  const base = (d.title ?? d.name.replace(/\.[^.]*$/, '')).replace(/[^A-Za-z0-9._-]+/g, '_') || 'document';
  return d.mediaType === 'application/pdf' ? `${base}.pdf` : base;
}

/** The transfer syntax a viewer error names, if any. */
function syntaxOf(error: unknown): string | undefined {
  const uid = error instanceof ViewerError ? error.details.transferSyntaxUid : undefined;
  return typeof uid === 'string' ? uid : undefined;
}

/** A record's decrypted content: the DICOM viewer, images, and what cannot be shown and why. */
export function RecordContentView({ recordId, content }: { recordId: string; content: RecordContent }) {
  const series = useMemo(() => seriesOf(content.images), [content.images]);
  const [chosen, setChosen] = useState<string>();
  const shown = series.find((s) => s.key === chosen) ?? series[0];
  const unshownDicom = content.unshown.filter((u) => u.error !== undefined).length;
  // The viewer waits for images while some may still come; it is left out when none could be parsed.
  const dicom =
    content.images.length > 0 ||
    (!content.complete && content.error === undefined && content.expected > unshownDicom);
  return (
    <section aria-labelledby="record-content" className="record-content">
      <h2 id="record-content">{mediaTypeLabel(content.mediaType)}</h2>
      <p role="status" className="hint">
        {content.error !== undefined
          ? 'Reading the record failed.'
          : content.complete
            ? `Decrypted on this device: ${formatBytes(content.totalBytes ?? 0)}.`
            : 'Downloading and decrypting on this device…'}
      </p>
      <Refusal error={content.error} />
      {content.error === undefined && (
        <SaveRecord recordId={recordId} files={content.files} complete={content.complete} />
      )}
      {series.length > 1 && <SeriesList series={series} selected={shown?.key} onSelect={setChosen} />}
      {dicom && (
        <DicomViewer
          key={shown?.key}
          slices={shown?.slices ?? []}
          arrival={{
            expected: content.expected,
            received: content.images.length,
            complete: content.complete,
            ...(content.firstImageBytes !== undefined ? { firstImageBytes: content.firstImageBytes } : {}),
            ...(content.totalBytes !== undefined ? { totalBytes: content.totalBytes } : {}),
          }}
        />
      )}
      {content.pictures.length > 0 && (
        <div className="record-images">
          {content.pictures.map((p) => (
            <figure key={p.key}>
              <img
                src={p.url}
                alt={
                  p.name
                    ? `${mediaTypeLabel(p.mediaType)} image: ${p.name}`
                    : `${mediaTypeLabel(p.mediaType)} image of the record`
                }
                data-testid="record-image"
              />
              {p.name && <figcaption>{p.name}</figcaption>}
            </figure>
          ))}
        </div>
      )}
      {content.documents.length > 0 && (
        <ul className="record-documents">
          {content.documents.map((d) => (
            <li key={d.key}>
              <a href={d.url} target="_blank" rel="noopener" data-testid="record-document" type={d.mediaType}>
                Open {d.title ?? (d.name || 'the document')} ({mediaTypeLabel(d.mediaType)})
              </a>{' '}
              <a href={d.url} download={documentFileName(d)} data-testid="save-document">
                Save
              </a>{' '}
              <span className="hint">carried in a DICOM object, decrypted on this device</span>
            </li>
          ))}
        </ul>
      )}
      {content.unshown.map((item) => (
        <div key={item.key} className="unshown" data-testid="unshown">
          {item.name && <h3>{item.name}</h3>}
          {item.error !== undefined ? (
            <ViewerFailure error={item.error} />
          ) : (
            <p className="hint">A {item.mediaType} file: this viewer does not show that kind of file.</p>
          )}
          {item.tags && <DicomTagsPanel image={item.tags} transferSyntaxUid={syntaxOf(item.error)} />}
        </div>
      ))}
    </section>
  );
}
