import sharp from 'sharp';
import type { Database } from '../../db/database.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import {
  AppError,
  conflict,
  describeErrorForLog,
  notFound,
  validationError,
} from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { JobRunner } from '../../jobs/index.js';
import { IntegrationError, type MealDetectionClient } from '../../integrations/index.js';
import type { FilesService } from '../files/index.js';
import { mealAnalysisRepository } from './meal-analysis.repository.js';
import type {
  AnalysisFeedbackBody,
  ConfirmAnalysisBody,
  ConfirmedAnalysisView,
  FeedbackReceipt,
  MealAnalysisView,
} from './meal-analysis.schemas.js';
import type {
  AddedItem,
  AnalysedItem,
  AnalysisMacros,
  ItemCorrection,
  MealAnalysisRow,
  MealImageAnalysisRow,
} from './meal-analysis.table.js';
import { roundMacros, roundToTenth } from './meal-logs.presenter.js';
import type { MealLogsService } from './meal-logs.service.js';
import { deliverMealFeedback } from './meal-feedback.job.js';

/** Tuning of the photo analysis (configuration). */
export interface MealAnalysisSettings {
  /** An analysis whose confidence is below this asks the member to confirm its items. */
  confirmBelow: number;
  /** Photos are scaled down to fit this many pixels on their longer side before sending. */
  maxImageSide: number;
  /** How long queued feedback waits before the job's first delivery attempt. */
  feedbackRetryDelaySeconds: number;
}

export interface MealAnalysisDeps {
  db: Database;
  logger: Logger;
  files: Pick<FilesService, 'findOwned' | 'readBytes' | 'markReferenced'>;
  detection: Pick<MealDetectionClient, 'analyzeImage' | 'submitCorrection'>;
  mealLogs: Pick<MealLogsService, 'createFromAnalysis'>;
  jobs: Pick<JobRunner, 'send'>;
  settings: MealAnalysisSettings;
}

const JPEG_QUALITY = 80;
// The feedback request waits this long inline before it is left to the job.
const INLINE_FEEDBACK_BUDGET_MS = 5_000;

const FALLBACK_HINT =
  'Describe the meal in words with POST /api/nutrition/meals/estimate, or log it by hand with ' +
  'POST /api/nutrition/meals.';

/** The service's failure as our problem, pointing the member at the ways that still work. */
function withFallbackHint(error: IntegrationError): AppError {
  return new AppError(
    error.status,
    error.code,
    error.title,
    `${error.detail} ${FALLBACK_HINT}`,
    error.extras,
  );
}

const sumMacros = (parts: readonly AnalysisMacros[]): AnalysisMacros =>
  roundMacros(
    parts.reduce(
      (sum, part) => ({
        calories: sum.calories + part.calories,
        protein: sum.protein + part.protein,
        carbs: sum.carbs + part.carbs,
        fat: sum.fat + part.fat,
      }),
      { calories: 0, protein: 0, carbs: 0, fat: 0 },
    ),
  );

function present(row: MealAnalysisRow): MealAnalysisView {
  return {
    analysisId: row.id,
    imageId: row.fileId,
    items: row.items,
    macros: { calories: row.calories, protein: row.protein, carbs: row.carbs, fat: row.fat },
    confidence: row.confidence,
    needsConfirmation: row.needsConfirmation,
    status: row.status,
    mealLogId: row.mealLogId,
    createdAt: row.createdAt.toISOString(),
  };
}

/** What the member ate, from the confirmation, and how it differs from what was detected. */
interface ConfirmedMeal {
  items: AnalysedItem[];
  macros: AnalysisMacros;
  corrections: ItemCorrection[];
  addedItems: AddedItem[];
}

/**
 * Meal photos through the Meal Detection service: analysed once per image (by the SHA-256 of
 * the stored bytes, whoever uploaded it), copied to each member as an analysis of their own,
 * confirmed into a meal log, and corrections fed back to the service, by a job when it is down.
 */
export class MealAnalysisService {
  /** Analyses in flight in this process, by image hash: a photo sent twice at once is paid once. */
  private readonly inFlight = new Map<string, Promise<MealImageAnalysisRow>>();

  constructor(private readonly deps: MealAnalysisDeps) {}

  /** Analyses the member's photo; `created` is false when they had analysed it before. */
  async analyze(
    userId: string,
    imageId: string,
  ): Promise<{ analysis: MealAnalysisView; created: boolean }> {
    const { db, files } = this.deps;
    const file = await files.findOwned(userId, imageId, 'meal-image');
    if (!file) throw notFound('Meal image');
    const existing = await mealAnalysisRepository.findForFile(db, userId, file.id);
    if (existing) return { analysis: present(existing), created: false };

    const result =
      (await mealAnalysisRepository.findImageAnalysis(db, file.sha256)) ??
      (await this.analyseOnce(file.sha256, async () => files.readBytes(file)));
    const { row, created } = await mealAnalysisRepository.insert(db, {
      userId,
      fileId: file.id,
      imageSha256: result.imageSha256,
      serviceAnalysisId: result.serviceAnalysisId,
      items: result.items,
      calories: result.calories,
      protein: result.protein,
      carbs: result.carbs,
      fat: result.fat,
      confidence: result.confidence,
      needsConfirmation: result.confidence < this.deps.settings.confirmBelow,
    });
    return { analysis: present(row), created };
  }

  async get(userId: string, analysisId: string): Promise<MealAnalysisView> {
    return present(await this.owned(userId, analysisId));
  }

  /**
   * Logs the analysed meal, as detected or as corrected, in one transaction with the analysis
   * turning `confirmed` (a second confirmation is a 409) and its corrections queued for the
   * service.
   */
  async confirm(
    userId: string,
    analysisId: string,
    body: ConfirmAnalysisBody,
  ): Promise<ConfirmedAnalysisView> {
    const analysis = await this.owned(userId, analysisId);
    if (analysis.status === 'confirmed') throw alreadyConfirmed(analysis);
    const eaten = confirmedMeal(analysis, body);
    let feedbackId: string | undefined;
    const meal = await this.deps.mealLogs.createFromAnalysis(
      userId,
      {
        mealType: body.mealType,
        mealDescription: body.mealDescription ?? describe(eaten.items),
        consumedAt: body.consumedAt,
        macros: eaten.macros,
        imageId: analysis.fileId,
      },
      async (uow, mealLog) => {
        const marked = await mealAnalysisRepository.markConfirmed(
          uow.tx,
          userId,
          analysis.id,
          mealLog.id,
        );
        if (!marked) throw alreadyConfirmed(analysis);
        await this.deps.files.markReferenced(uow.tx, userId, [analysis.fileId]);
        if (eaten.corrections.length > 0 || eaten.addedItems.length > 0) {
          feedbackId = await this.queueFeedback(uow, analysis, eaten);
        }
      },
    );
    const confirmed = await this.owned(userId, analysisId);
    return {
      analysis: present(confirmed),
      meal,
      feedback: feedbackId === undefined ? null : { feedbackId, status: 'queued' },
    };
  }

  /**
   * Records the member's corrections and forwards them: `delivered` when the service took them
   * now, `queued` when it could not be reached (a job delivers them later, once).
   */
  async feedback(
    userId: string,
    analysisId: string,
    body: AnalysisFeedbackBody,
  ): Promise<FeedbackReceipt> {
    const analysis = await this.owned(userId, analysisId);
    const outOfRange = body.corrections.flatMap((correction, index) =>
      correction.itemIndex < analysis.items.length
        ? []
        : [
            {
              path: `body.corrections.${String(index)}.itemIndex`,
              message: `the analysis has ${String(analysis.items.length)} items`,
            },
          ],
    );
    if (outOfRange.length > 0) throw validationError('No such detected item.', outOfRange);
    const row = await mealAnalysisRepository.insertFeedback(this.deps.db, {
      analysisId: analysis.id,
      userId,
      serviceAnalysisId: analysis.serviceAnalysisId,
      corrections: body.corrections,
      addedItems: body.addedItems,
    });
    if (!row) {
      throw conflict(
        'Corrections of this analysis were recorded already.',
        'FEEDBACK_ALREADY_SENT',
      );
    }
    try {
      await this.deliverFeedback(row.id, { deadline: Date.now() + INLINE_FEEDBACK_BUDGET_MS });
      return { feedbackId: row.id, status: 'delivered' };
    } catch (error) {
      if (!(error instanceof IntegrationError)) throw error;
      await this.queueDelivery(row.id, this.deps.settings.feedbackRetryDelaySeconds);
      this.deps.logger.info(
        { feedbackId: row.id, reason: error.reason },
        'meal feedback queued for later delivery',
      );
      return { feedbackId: row.id, status: 'queued' };
    }
  }

  /**
   * Queues a delivery job for corrections that have none (their job could not be sent, e.g. by
   * an instance that does not run jobs); the repeating sweep calls this. Returns how many.
   */
  async queueUndeliveredFeedback(olderThanSeconds: number, limit = 100): Promise<number> {
    const ids = await mealAnalysisRepository.undeliveredFeedback(
      this.deps.db,
      olderThanSeconds,
      limit,
    );
    for (const id of ids) await this.queueDelivery(id);
    return ids.length;
  }

  /**
   * Sends recorded corrections to the service unless they were delivered already (the job's
   * handler; throws when the service fails, so the job retries).
   */
  async deliverFeedback(
    feedbackId: string,
    options: { deadline?: number } = {},
  ): Promise<'delivered' | 'already-delivered' | 'gone'> {
    const row = await mealAnalysisRepository.findFeedback(this.deps.db, feedbackId);
    if (!row) return 'gone';
    if (row.deliveredAt) return 'already-delivered';
    const receipt = await this.deps.detection.submitCorrection(
      {
        analysisId: row.serviceAnalysisId,
        corrections: row.corrections,
        addedItems: row.addedItems,
      },
      options,
    );
    await mealAnalysisRepository.markFeedbackDelivered(this.deps.db, row.id, receipt.feedbackId);
    return 'delivered';
  }

  private async owned(userId: string, analysisId: string): Promise<MealAnalysisRow> {
    const row = await mealAnalysisRepository.find(this.deps.db, userId, analysisId);
    if (!row) throw notFound('Meal analysis');
    return row;
  }

  /** Calls the service for an image not analysed yet, once per hash in this process. */
  private analyseOnce(
    sha256: string,
    readBytes: () => Promise<Buffer>,
  ): Promise<MealImageAnalysisRow> {
    const running = this.inFlight.get(sha256);
    if (running) return running;
    const call = this.callService(sha256, readBytes).finally(() => this.inFlight.delete(sha256));
    this.inFlight.set(sha256, call);
    return call;
  }

  private async callService(
    sha256: string,
    readBytes: () => Promise<Buffer>,
  ): Promise<MealImageAnalysisRow> {
    const { maxImageSide } = this.deps.settings;
    const jpeg = await sharp(await readBytes())
      .rotate()
      .resize({
        width: maxImageSide,
        height: maxImageSide,
        fit: 'inside',
        withoutEnlargement: true,
      })
      .jpeg({ quality: JPEG_QUALITY, mozjpeg: true })
      .toBuffer();
    let answer;
    try {
      answer = await this.deps.detection.analyzeImage({
        image: { base64: jpeg.toString('base64'), contentType: 'image/jpeg' },
      });
    } catch (error) {
      if (error instanceof IntegrationError) throw withFallbackHint(error);
      throw error;
    }
    return mealAnalysisRepository.saveImageAnalysis(this.deps.db, {
      imageSha256: sha256,
      serviceAnalysisId: answer.analysisId,
      items: answer.items.map((item) => ({ ...item, macros: roundMacros(item.macros) })),
      ...roundMacros(answer.macros),
      confidence: answer.confidence,
    });
  }

  /** Stores the corrections and schedules their delivery once the transaction commits. */
  private async queueFeedback(
    uow: UnitOfWork,
    analysis: MealAnalysisRow,
    eaten: ConfirmedMeal,
  ): Promise<string> {
    const row = await mealAnalysisRepository.insertFeedback(uow.tx, {
      analysisId: analysis.id,
      userId: analysis.userId,
      serviceAnalysisId: analysis.serviceAnalysisId,
      corrections: eaten.corrections,
      addedItems: eaten.addedItems,
    });
    if (!row) {
      throw conflict(
        'Corrections of this analysis were recorded already.',
        'FEEDBACK_ALREADY_SENT',
      );
    }
    uow.afterCommit(() => this.queueDelivery(row.id));
    return row.id;
  }

  /**
   * One delivery job per feedback (its id the job's id, so sending again while it exists queues
   * nothing). A job that cannot be sent is left to the sweep: the corrections are stored.
   */
  private async queueDelivery(feedbackId: string, startAfterSeconds?: number): Promise<void> {
    try {
      await this.deps.jobs.send(
        deliverMealFeedback,
        { feedbackId },
        { id: feedbackId, startAfterSeconds },
      );
    } catch (error) {
      this.deps.logger.warn(
        { feedbackId, error: describeErrorForLog(error) },
        'meal feedback job not sent; the sweep queues it later',
      );
    }
  }
}

const alreadyConfirmed = (analysis: MealAnalysisRow) =>
  conflict(
    `This analysis was confirmed already${analysis.mealLogId ? ` (meal ${analysis.mealLogId})` : ''}.`,
    'ANALYSIS_ALREADY_CONFIRMED',
  );

/** "Grilled chicken 150 g + White rice 180 g", cut to the description's 500 characters. */
function describe(items: readonly AnalysedItem[]): string {
  const text = items.map((item) => `${item.name} ${String(item.grams)} g`).join(' + ') || 'Meal';
  return text.length <= 500 ? text : `${text.slice(0, 499)}…`;
}

/** The meal as confirmed, and its differences from the analysis in the service's terms. */
function confirmedMeal(analysis: MealAnalysisRow, body: ConfirmAnalysisBody): ConfirmedMeal {
  const detected = analysis.items;
  if (!body.items) {
    return {
      items: detected,
      macros: {
        calories: analysis.calories,
        protein: analysis.protein,
        carbs: analysis.carbs,
        fat: analysis.fat,
      },
      corrections: [],
      addedItems: [],
    };
  }
  const outOfRange = body.items.flatMap((item, index) =>
    item.fromItem === undefined || item.fromItem < detected.length
      ? []
      : [
          {
            path: `body.items.${String(index)}.fromItem`,
            message: `the analysis has ${String(detected.length)} items`,
          },
        ],
  );
  if (outOfRange.length > 0) throw validationError('No such detected item.', outOfRange);

  const corrections: ItemCorrection[] = [];
  const addedItems: AddedItem[] = [];
  const items = body.items.map((item): AnalysedItem => {
    const original = item.fromItem === undefined ? undefined : detected[item.fromItem];
    if (original === undefined || item.fromItem === undefined) {
      addedItems.push({ name: item.name, grams: item.grams });
      // The schema requires macros for items that correct nothing.
      return { name: item.name, grams: item.grams, macros: roundMacros(item.macros ?? zero) };
    }
    const changed: ItemCorrection = { itemIndex: item.fromItem };
    if (item.name !== original.name) changed.correctedName = item.name;
    if (item.grams !== original.grams) changed.correctedGrams = item.grams;
    if (changed.correctedName !== undefined || changed.correctedGrams !== undefined) {
      corrections.push(changed);
    }
    const scale = original.grams > 0 ? item.grams / original.grams : 0;
    const macros = item.macros ?? {
      calories: original.macros.calories * scale,
      protein: original.macros.protein * scale,
      carbs: original.macros.carbs * scale,
      fat: original.macros.fat * scale,
    };
    return { name: item.name, grams: roundToTenth(item.grams), macros: roundMacros(macros) };
  });
  const kept = new Set(body.items.map((item) => item.fromItem));
  detected.forEach((_, index) => {
    if (!kept.has(index)) corrections.push({ itemIndex: index, removed: true });
  });
  corrections.sort((a, b) => a.itemIndex - b.itemIndex);
  return { items, macros: sumMacros(items.map((item) => item.macros)), corrections, addedItems };
}

const zero: AnalysisMacros = { calories: 0, protein: 0, carbs: 0, fat: 0 };
